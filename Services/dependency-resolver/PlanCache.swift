import Contracts
import Postgres
import Synchronization

struct PlanNotFound: Error, CustomStringConvertible {
    let tenant: String
    let workflow: String
    let version: Int
    var description: String { "workflow \(workflow) version \(version) of tenant \(tenant) does not exist" }
}

/// Workflow versions are immutable, so a parsed plan can be cached forever (bounded by count).
final class PlanCache: Sendable {
    private struct Key: Hashable {
        let tenant: String
        let workflow: String
        let version: Int
    }

    private let plans = Mutex<[Key: RunPlan]>([:])
    private let capacity = 1_000

    func plan(tenant: String, workflow: String, version: Int, _ connection: PostgresConnection) throws -> RunPlan {
        let key = Key(tenant: tenant, workflow: workflow, version: version)
        if let plan = plans.withLock({ $0[key] }) { return plan }
        guard let row = try connection.query("""
            SELECT definition::text AS definition FROM workflows WHERE tenant = $1 AND name = $2 AND version = $3
            """, [tenant, workflow, version]).first else {
            throw PlanNotFound(tenant: tenant, workflow: workflow, version: version)
        }
        let plan = try RunPlan(try row.json("definition", as: WorkflowDefinition.self))
        plans.withLock { plans in
            if plans.count >= capacity { plans.removeAll() }
            plans[key] = plan
        }
        return plan
    }
}
