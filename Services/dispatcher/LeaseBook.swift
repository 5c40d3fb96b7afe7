import Contracts
import Foundation
import Postgres
import Runtime
import ServiceKit

/// The dispatcher's record of who holds which task (`task_leases`). One row per task instance,
/// carrying the current attempt number: a report for another attempt never changes it (fencing).
struct LeaseBook: Sendable {
    let logger: Logger

    /// Takes the lease with the next attempt number and publishes the dispatch. A redelivered
    /// `task.ready` never gets here twice (the consumer dedupes by message id); a later ready for
    /// the same task (a retry) gets a new attempt.
    func dispatch(_ message: Envelope<TaskReady>, _ connection: PostgresConnection, _ outbox: Outbox) throws {
        let spec = message.payload.task
        guard let row = try connection.query("""
            INSERT INTO task_leases (run_id, task_id, tenant, pool, attempt, state, spec)
            VALUES ($1, $2, $3, $4, 1, 'dispatched', $5::jsonb)
            ON CONFLICT (run_id, task_id) DO UPDATE SET attempt = task_leases.attempt + 1, state = 'dispatched',
                agent_id = NULL, spec = EXCLUDED.spec, dispatched_at = now(), updated_at = now()
            RETURNING attempt
            """, [spec.runID, spec.taskID, message.tenant, spec.pool, String(decoding: try WireCoding.encode(spec), as: UTF8.self)]).first
        else { return }
        try publishAttempt(spec, attempt: try row.int("attempt"), tenant: message.tenant, outbox)
    }

    /// Publishes the attempt to the pool and tells the resolver it was dispatched.
    func publishAttempt(_ spec: TaskSpec, attempt: Int, tenant: String, _ outbox: Outbox) throws {
        let runKey = spec.runID.key
        try outbox.publish(TaskDispatch(task: spec, attempt: attempt), tenant: tenant,
                           topic: Topics.dispatch(pool: spec.pool), key: "\(runKey)/\(spec.taskID)")
        try outbox.publish(TaskStatus(runID: spec.runID, taskID: spec.taskID, attempt: attempt, state: .dispatched),
                           tenant: tenant, topic: Topics.tasksStatus, key: runKey)
        logger.debug("dispatched", [LogKey.tenant: tenant, LogKey.run: runKey, LogKey.task: spec.taskID,
                                    LogKey.attempt: "\(attempt)", LogKey.pool: spec.pool])
    }

    /// Follows agents' reports for the current attempt: who runs it, and when it is done.
    func track(_ message: Envelope<TaskStatus>, _ connection: PostgresConnection) throws {
        let status = message.payload
        let state: String
        switch status.state {
        case .dispatched: return
        case .running: state = "running"
        case .succeeded, .failed: state = "done"
        }
        let changed = try connection.execute("""
            UPDATE task_leases SET state = $4, agent_id = COALESCE($5, agent_id), agent_session = COALESCE($6, agent_session),
                updated_at = now()
            WHERE run_id = $1 AND task_id = $2 AND attempt = $3 AND state <> 'done'
            """, [status.runID, status.taskID, status.attempt, state, status.agentID, status.agentSession])
        if changed == 0 {
            logger.debug("report for a superseded or finished attempt", [LogKey.run: status.runID.key,
                                                                          LogKey.task: status.taskID, LogKey.attempt: "\(status.attempt)"])
        }
    }

    func recordHeartbeat(_ message: Envelope<AgentHeartbeat>, _ connection: PostgresConnection) throws {
        let beat = message.payload
        try connection.execute("""
            INSERT INTO agent_liveness (agent_id, pool, host, last_seen, session) VALUES ($1, $2, $3, $4, $5)
            ON CONFLICT (agent_id) DO UPDATE SET pool = EXCLUDED.pool, host = EXCLUDED.host,
                session = CASE WHEN EXCLUDED.last_seen >= agent_liveness.last_seen THEN EXCLUDED.session ELSE agent_liveness.session END,
                last_seen = GREATEST(agent_liveness.last_seen, EXCLUDED.last_seen)
            """, [beat.agentID, beat.pool, beat.host, message.occurredAt, beat.session])
    }
}
