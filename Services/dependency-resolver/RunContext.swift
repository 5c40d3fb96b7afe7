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
    /// The ready window's counts as the row had them when it was locked (`ReadyWindow`).
    var window = WindowCounts()

    var key: String { id.key }
    var isActive: Bool { state == .running || state == .paused }

    static func load(_ id: UUID, plans: PlanCache, _ connection: PostgresConnection) throws -> RunContext? {
        let statement = lock(id)
        return try RunContext(id, row: try connection.query(statement.sql, statement.parameters).first, plans: plans, connection)
    }

    /// The statement that locks run `id`'s row and reads it, for a caller that sends it with
    /// others in one round trip (`PostgresConnection.queries`); the run's row is locked first
    /// in every change to a run.
    static func lock(_ id: UUID) -> (sql: String, parameters: [any PostgresBindable]) {
        ("""
        SELECT tenant, workflow, workflow_version, state, parameters::text AS parameters, logical_time, window_ready, window_held
        FROM runs WHERE id = $1 FOR UPDATE
        """, [id])
    }

    /// Locks the rows of the runs `keys` name, in id order, before a batch changes them one by
    /// one: the status loop locks its batch's runs in the same order (`applyStatuses`), so two
    /// transactions that share runs wait for each other instead of deadlocking. Keys that are
    /// not run ids (and runs not created yet) lock nothing; one run needs no ordering.
    static func lockInOrder(_ keys: [String], _ connection: PostgresConnection) throws {
        let ids = Set(keys.compactMap { UUID(uuidString: $0) })
        guard ids.count > 1 else { return }
        try connection.executeDeferred("SELECT 1 FROM runs WHERE id = ANY($1) ORDER BY id FOR UPDATE", [Array(ids)])
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

extension RunContext {
    /// The run from its row as `lock` reads it; nil for no row (no such run).
    init?(_ id: UUID, row: PostgresRow?, plans: PlanCache, _ connection: PostgresConnection) throws {
        guard let row else { return nil }
        let tenant = try row.string("tenant")
        let workflow = try row.string("workflow")
        let version = try row.int("workflow_version")
        self.init(id: id, tenant: tenant, workflow: workflow, version: version,
                  parameters: try row.json("parameters", as: [String: String].self), logicalTime: try row.date("logical_time"),
                  state: RunState(rawValue: try row.string("state")) ?? .running,
                  plan: try plans.plan(tenant: tenant, workflow: workflow, version: version, connection),
                  window: WindowCounts(ready: try row.int("window_ready"), held: try row.int("window_held")))
    }
}
