import Contracts
import Foundation
import Postgres
import Runtime
import ServiceKit

/// The dispatcher's record of who holds which task (`task_leases`). One row per task instance,
/// carrying the current attempt number: a report for another attempt never changes it (fencing).
struct LeaseBook: Sendable {
    let logger: Logger

    /// Follows agents' reports for the current attempt: who runs it, and when it is done. Reports
    /// for an attempt that is no longer out (superseded, lost, queued again) change nothing.
    /// Returns whether a slot was freed, so the scheduler can look again at once.
    @discardableResult
    func track(_ message: Envelope<TaskStatus>, _ connection: PostgresConnection) throws -> Bool {
        let status = message.payload
        let state: String
        switch status.state {
        case .dispatched: return false
        case .running: state = "running"
        case .succeeded, .failed: state = "done"
        }
        let changed = try connection.execute("""
            UPDATE task_leases SET state = $4, agent_id = COALESCE($5, agent_id), agent_session = COALESCE($6, agent_session),
                started_at = CASE WHEN $4 = 'running' THEN $7 ELSE started_at END,
                finished_at = CASE WHEN $4 = 'done' THEN $7 ELSE finished_at END, updated_at = now()
            WHERE run_id = $1 AND task_id = $2 AND attempt = $3 AND state IN ('dispatched', 'running')
            """, [status.runID, status.taskID, status.attempt, state, status.agentID, status.agentSession, message.occurredAt])
        if changed == 0 {
            logger.debug("report for a superseded or finished attempt", [LogKey.run: status.runID.key,
                                                                          LogKey.task: status.taskID, LogKey.attempt: "\(status.attempt)"])
        }
        return changed > 0 && state == "done"
    }
}
