import Contracts
import Foundation
import Postgres
import Runtime
import ServiceKit

/// Where ready tasks wait: each becomes (or becomes again, for a retry) a `queued` lease row in
/// its tenant's queue, ordered by priority and arrival. Nothing is dispatched here; scheduling
/// passes (`Scheduler`) take rows out of the queue under every limit at once.
struct TaskQueue: Sendable {
    let logger: Logger

    /// One queued row as the batch statement reads it (`json_to_recordset`).
    private struct Row: Encodable {
        /// Place in the batch: rows get their queue sequence numbers in this order.
        let arrival: Int
        let runID: UUID
        let taskID: String
        let tenant: String
        let pool: String
        let spec: TaskSpec
        let priority: Int
        let selector: String?
        let concurrencyKey: String?
        let concurrencyLimit: Int?
    }

    /// Queues the tasks, in one statement, in arrival order. A later ready for the same task (a
    /// retry) queues it again with a fresh place at the back; the attempt number moves on only
    /// when it is dispatched. Of two readies for one task in the same batch the later wins, which
    /// is what applying them one after the other would leave.
    func enqueue(_ messages: [Envelope<TaskReady>], _ connection: PostgresConnection) throws {
        var seen = Set<TaskKey>()
        let latest = messages.reversed().filter { seen.insert(TaskKey(runID: $0.payload.task.runID, taskID: $0.payload.task.taskID)).inserted }
        let rows = latest.reversed().enumerated().map { arrival, message in
            let spec = message.payload.task
            return Row(arrival: arrival, runID: spec.runID, taskID: spec.taskID, tenant: message.tenant, pool: spec.pool, spec: spec,
                       priority: spec.effectivePriority, selector: spec.selector, concurrencyKey: spec.concurrency?.key,
                       concurrencyLimit: spec.concurrency?.limit)
        }
        guard !rows.isEmpty else { return }
        try connection.executeDeferred("""
            INSERT INTO task_leases (run_id, task_id, tenant, pool, attempt, state, spec, priority, selector,
                concurrency_key, concurrency_limit)
            SELECT r."runID", r."taskID", r.tenant, r.pool, 0, 'queued', r.spec, r.priority, r.selector,
                r."concurrencyKey", r."concurrencyLimit"
            FROM json_to_recordset($1::json) AS r(arrival int, "runID" uuid, "taskID" text, tenant text, pool text,
                spec jsonb, priority int, selector text, "concurrencyKey" text, "concurrencyLimit" int)
            ORDER BY r.arrival
            ON CONFLICT (run_id, task_id) DO UPDATE SET state = 'queued', spec = EXCLUDED.spec, pool = EXCLUDED.pool,
                priority = EXCLUDED.priority, selector = EXCLUDED.selector, concurrency_key = EXCLUDED.concurrency_key,
                concurrency_limit = EXCLUDED.concurrency_limit, agent_id = NULL, agent_session = NULL, wait_reason = NULL,
                started_at = NULL, finished_at = NULL, queue_seq = nextval('task_queue_seq'), queued_at = now(), updated_at = now()
            """, [String(decoding: try WireCoding.encode(rows), as: UTF8.self)])
        logger.debug("queued", ["tasks": "\(rows.count)"])
    }
}

/// A task instance: one lease row.
struct TaskKey: Hashable, Sendable {
    let runID: UUID
    let taskID: String
}
