import Contracts
import Foundation
import HTTP
import Postgres
import ServiceKit

/// `GET /v1/runs/:id` and `GET /v1/runs`: a run as its tenant sees it. A run that was requested
/// but not yet created by the resolver shows as `queued` with no tasks.
struct RunQueryRoutes: Sendable {
    let context: ServiceContext

    struct TaskView: Codable, Sendable {
        let id: String
        let state: String
        let attempt: Int
        let exitCode: Int?
        let reason: String?
        let agent: String?
        /// Failed tries so far (retries use them up).
        let failures: Int
        let outputs: [String: String]?
        /// The sub-workflow run of a `workflow` task.
        let childRun: UUID?
        /// Who ended it by hand, or stopped the run it belonged to.
        let finishedBy: String?
        /// While it waits in the dispatcher's queue: what holds it back (a quota, a throttle, a
        /// concurrency key, no eligible agent).
        let waitingFor: String?

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(id, forKey: .id)
            try container.encode(state, forKey: .state)
            try container.encode(attempt, forKey: .attempt)
            try container.encode(exitCode, forKey: .exitCode)
            try container.encodeIfPresent(reason, forKey: .reason)
            try container.encodeIfPresent(agent, forKey: .agent)
            if failures > 0 { try container.encode(failures, forKey: .failures) }
            try container.encodeIfPresent(outputs, forKey: .outputs)
            try container.encodeIfPresent(childRun, forKey: .childRun)
            try container.encodeIfPresent(finishedBy, forKey: .finishedBy)
            try container.encodeIfPresent(waitingFor, forKey: .waitingFor)
        }
    }

    struct RunView: Codable, Sendable {
        let id: UUID
        let workflow: String
        let version: Int
        let tenant: String
        let state: String
        /// The time the trigger stands for (a schedule's fire time; the request time otherwise).
        let logicalTime: Date
        /// What started it: schedule, backfill, event, manual or dependency; and who or what.
        let source: String
        let requestedBy: String
        let parameters: [String: String]
        /// Why it ended as it did (a timeout, a cancel), when a task's state does not say it.
        var reason: String? = nil
        var deadline: Date? = nil
        var parentRun: UUID? = nil
        var parentTask: String? = nil
        var reruns: Int = 0
        let createdAt: Date
        let finishedAt: Date?
        let tasks: [TaskView]
    }

    struct RunSummary: Codable, Sendable {
        let id: UUID
        let workflow: String
        let state: String
        let createdAt: Date
        let finishedAt: Date?
        let tasksTotal: Int
        let tasksOpen: Int
    }

    @Sendable func show(_ request: HTTPRequest) async throws -> HTTPResponse {
        let principal = try await context.principal(request)
        let text = try request.parameter("id")
        guard let id = UUID(uuidString: text) else { throw HTTPError.badRequest("'\(text)' is not a run id") }
        let view = try await context.tenantRead(principal) { connection -> RunView? in
            try Self.run(id, tenant: principal.tenant, connection) ?? Self.queued(id, tenant: principal.tenant, connection)
        }
        guard let view else { throw HTTPError.notFound("no run \(text)") }
        return .json(view)
    }

    @Sendable func list(_ request: HTTPRequest) async throws -> HTTPResponse {
        let principal = try await context.principal(request)
        let limit = min(max(Int(request.query["limit"] ?? "") ?? 50, 1), 1_000)
        let workflow = request.query["workflow"]
        let runs = try await context.tenantRead(principal) { connection in
            try connection.query("""
                SELECT id, workflow, state, created_at, finished_at, tasks_total, tasks_open FROM runs
                WHERE tenant = $1 AND ($2::text IS NULL OR workflow = $2) ORDER BY created_at DESC LIMIT $3
                """, [principal.tenant, workflow, limit]).map { row in
                RunSummary(id: try row.uuid("id"), workflow: try row.string("workflow"), state: try row.string("state"),
                           createdAt: try row.date("created_at"), finishedAt: try row.optionalDate("finished_at"),
                           tasksTotal: try row.int("tasks_total"), tasksOpen: try row.int("tasks_open"))
            }
        }
        return .json(["runs": runs])
    }

    private static func run(_ id: UUID, tenant: String, _ connection: PostgresConnection) throws -> RunView? {
        guard let run = try connection.query("""
            SELECT u.workflow, u.workflow_version, u.state, u.created_at, u.finished_at, u.logical_time, u.parameters::text AS parameters,
                   COALESCE(r.source, 'manual') AS source, COALESCE(r.requested_by, '') AS requested_by,
                   u.reason, u.deadline_at, u.parent_run_id, u.parent_task_id, u.reruns
            FROM runs u LEFT JOIN run_requests r ON r.run_id = u.id WHERE u.id = $1 AND u.tenant = $2
            """, [id, tenant]).first else { return nil }
        let tasks = try connection.query("""
            SELECT t.task_id, t.state, t.attempt, t.exit_code, t.reason, t.agent_id, t.failures, t.outputs::text AS outputs,
                   t.child_run_id, t.finished_by, CASE WHEN l.state = 'queued' THEN l.wait_reason END AS waiting_for
            FROM task_instances t LEFT JOIN task_leases l ON l.run_id = t.run_id AND l.task_id = t.task_id
            WHERE t.run_id = $1 ORDER BY t.position
            """, [id]).map { row in
            TaskView(id: try row.string("task_id"), state: try row.string("state"), attempt: try row.int("attempt"),
                     exitCode: try row.optionalInt("exit_code"), reason: try row.optionalString("reason"),
                     agent: try row.optionalString("agent_id"), failures: try row.int("failures"),
                     outputs: try row.optionalJSON("outputs", as: [String: String].self), childRun: try row.optionalUUID("child_run_id"),
                     finishedBy: try row.optionalString("finished_by"), waitingFor: try row.optionalString("waiting_for"))
        }
        return RunView(id: id, workflow: try run.string("workflow"), version: try run.int("workflow_version"), tenant: tenant,
                       state: try run.string("state"), logicalTime: try run.date("logical_time"), source: try run.string("source"),
                       requestedBy: try run.string("requested_by"), parameters: try run.json("parameters", as: [String: String].self),
                       reason: try run.optionalString("reason"), deadline: try run.optionalDate("deadline_at"),
                       parentRun: try run.optionalUUID("parent_run_id"), parentTask: try run.optionalString("parent_task_id"),
                       reruns: try run.int("reruns"), createdAt: try run.date("created_at"), finishedAt: try run.optionalDate("finished_at"),
                       tasks: tasks)
    }

    private static func queued(_ id: UUID, tenant: String, _ connection: PostgresConnection) throws -> RunView? {
        guard let request = try connection.query("""
            SELECT workflow, workflow_version, created_at, logical_time, source, requested_by, parameters::text AS parameters
            FROM run_requests WHERE run_id = $1 AND tenant = $2
            """, [id, tenant]).first else { return nil }
        return RunView(id: id, workflow: try request.string("workflow"), version: try request.int("workflow_version"),
                       tenant: tenant, state: RunState.queued.rawValue, logicalTime: try request.date("logical_time"),
                       source: try request.string("source"), requestedBy: try request.string("requested_by"),
                       parameters: try request.json("parameters", as: [String: String].self),
                       createdAt: try request.date("created_at"), finishedAt: nil, tasks: [])
    }
}
