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

    /// Queues the task. A later ready for the same task (a retry) queues it again with a fresh
    /// place at the back; the attempt number moves on only when it is dispatched.
    func enqueue(_ message: Envelope<TaskReady>, _ connection: PostgresConnection) throws {
        let spec = message.payload.task
        try connection.execute("""
            INSERT INTO task_leases (run_id, task_id, tenant, pool, attempt, state, spec, priority, selector,
                concurrency_key, concurrency_limit)
            VALUES ($1, $2, $3, $4, 0, 'queued', $5::jsonb, $6, $7, $8, $9)
            ON CONFLICT (run_id, task_id) DO UPDATE SET state = 'queued', spec = EXCLUDED.spec, pool = EXCLUDED.pool,
                priority = EXCLUDED.priority, selector = EXCLUDED.selector, concurrency_key = EXCLUDED.concurrency_key,
                concurrency_limit = EXCLUDED.concurrency_limit, agent_id = NULL, agent_session = NULL, wait_reason = NULL, started_at = NULL, finished_at = NULL,
                queue_seq = nextval('task_queue_seq'), queued_at = now(), updated_at = now()
            """, [spec.runID, spec.taskID, message.tenant, spec.pool, String(decoding: try WireCoding.encode(spec), as: UTF8.self),
                  spec.effectivePriority, spec.selector, spec.concurrency?.key, spec.concurrency?.limit])
        logger.debug("queued", [LogKey.tenant: message.tenant, LogKey.run: spec.runID.key, LogKey.task: spec.taskID, LogKey.pool: spec.pool])
    }
}
