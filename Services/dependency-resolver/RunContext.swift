import Contracts
import Foundation
import Postgres
import Runtime

/// What the engine needs to know about a run while changing it. Loading it locks the run's row,
/// so the consumer, the timer loop and operator commands never interleave changes to one run.
struct RunContext {
    let id: UUID
    let tenant: String
    let workflow: String
    let version: Int
    let parameters: [String: String]
    let logicalTime: Date
    var state: RunState
    let plan: RunPlan

    var key: String { id.key }
    var isActive: Bool { state == .running || state == .paused }

    static func load(_ id: UUID, plans: PlanCache, _ connection: PostgresConnection) throws -> RunContext? {
        guard let row = try connection.query("""
            SELECT tenant, workflow, workflow_version, state, parameters::text AS parameters, logical_time FROM runs WHERE id = $1 FOR UPDATE
            """, [id]).first else { return nil }
        let tenant = try row.string("tenant")
        let workflow = try row.string("workflow")
        let version = try row.int("workflow_version")
        return RunContext(id: id, tenant: tenant, workflow: workflow, version: version,
                          parameters: try row.json("parameters", as: [String: String].self), logicalTime: try row.date("logical_time"),
                          state: RunState(rawValue: try row.string("state")) ?? .running,
                          plan: try plans.plan(tenant: tenant, workflow: workflow, version: version, connection))
    }

    /// The values templates and conditions of `task` may name. `attempt` is the task's try
    /// number (1, then 2 for the first retry, …).
    func values(task: String, attempt: Int, outputs: [String: [String: String]]) -> ValueLookup {
        let runKey = key
        let tenant = tenant
        let workflow = workflow
        let logicalTime = logicalTime
        let parameters = parameters
        return { reference in
            switch reference {
            case .parameter(let name): return parameters[name]
            case .output(let source, let name): return outputs[source]?[name]
            case .builtin(let path):
                switch path {
                case "run.id": return runKey
                case "run.logicalTime": return Timestamp.format(logicalTime)
                case "run.logicalDate": return String(Timestamp.format(logicalTime).prefix(10))
                case "run.tenant": return tenant
                case "run.workflow": return workflow
                case "task.id": return task
                case "task.attempt": return "\(attempt)"
                default: return nil
                }
            }
        }
    }
}
