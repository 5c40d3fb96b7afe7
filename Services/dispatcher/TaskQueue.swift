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
        /// The message that carried the ready: the row is queued only if the message is new.
        let messageID: UUID
        let runID: UUID
        let taskID: String
        let tenant: String
        let pool: String
        /// The spec as it came, stored as it is (`DispatchOrder.Prepared`).
        let spec: RawJSON
        let priority: Int
        let selector: String?
        let concurrencyKey: String?
        let concurrencyLimit: Int?
    }

    /// Queues the readies of `messages`, in arrival order, in one statement that also records
    /// the messages as processed by `consumer` and skips those recorded before: the intake's
    /// transaction is one round trip, not two (the claim, then the insert), and a task's wait
    /// from ready to dispatched starts with it (docs/performance.md, item 52). A later ready for
    /// the same task (a retry) queues it again with a fresh place at the back; the attempt
    /// number moves on only when it is dispatched. Of two new readies for one task in the same
    /// batch the later wins, which is what applying them one after the other would leave; a
    /// message delivered twice counts at its first place.
    /// The task's spec goes to `task_specs`, written once here and read once at dispatch, so the
    /// lease row the later updates copy stays small (`Schema.taskSpecs`).
    /// Returns how many readies the messages carried (new or not).
    @discardableResult
    func enqueue(_ messages: [IncomingMessage], recordingAs consumer: String, _ connection: PostgresConnection) throws -> Int {
        var seen = Set<UUID>()
        let readies = try messages.filter { seen.insert($0.header.id).inserted }.items(TaskReady.Received.self)
        let rows = readies.enumerated().map { arrival, message in
            let spec = message.payload.task
            return Row(arrival: arrival, messageID: message.id, runID: spec.runID, taskID: spec.taskID, tenant: message.tenant,
                       pool: spec.pool, spec: message.payload.specText, priority: spec.effectivePriority, selector: spec.selector,
                       concurrencyKey: spec.concurrency?.key, concurrencyLimit: spec.concurrency?.limit)
        }
        guard !rows.isEmpty else { return 0 }
        let ids = Array(Set(rows.map(\.messageID)))
        try connection.executeDeferred("""
            WITH fresh AS (
                INSERT INTO processed_messages (consumer, message_id) SELECT $2, unnest($3::uuid[])
                ON CONFLICT DO NOTHING RETURNING message_id
            ), latest AS (
                SELECT DISTINCT ON (r."runID", r."taskID") r.*
                FROM json_to_recordset($1::json) AS r(arrival int, "messageID" uuid, "runID" uuid, "taskID" text, tenant text,
                    pool text, spec json, priority int, selector text, "concurrencyKey" text, "concurrencyLimit" int)
                WHERE r."messageID" IN (SELECT message_id FROM fresh)
                ORDER BY r."runID", r."taskID", r.arrival DESC
            ), specs AS (
                INSERT INTO task_specs (run_id, task_id, spec) SELECT "runID", "taskID", spec FROM latest
                ON CONFLICT (run_id, task_id) DO UPDATE SET spec = EXCLUDED.spec
            )
            INSERT INTO task_leases (run_id, task_id, tenant, pool, attempt, state, priority, selector,
                concurrency_key, concurrency_limit)
            SELECT r."runID", r."taskID", r.tenant, r.pool, 0, 'queued', r.priority, r.selector,
                r."concurrencyKey", r."concurrencyLimit"
            FROM latest AS r
            ORDER BY r.arrival
            ON CONFLICT (run_id, task_id) DO UPDATE SET state = 'queued', pool = EXCLUDED.pool,
                priority = EXCLUDED.priority, selector = EXCLUDED.selector, concurrency_key = EXCLUDED.concurrency_key,
                concurrency_limit = EXCLUDED.concurrency_limit, agent_id = NULL, agent_session = NULL, wait_reason = NULL,
                started_at = NULL, finished_at = NULL, queue_seq = nextval('task_queue_seq'), queued_at = now(), updated_at = now()
            """, [String(decoding: try WireCoding.encode(rows), as: UTF8.self), consumer, ids])
        logger.debug("queued", ["tasks": "\(rows.count)"])
        return rows.count
    }
}
