import Contracts
import Foundation
import Postgres
import Runtime
import ServiceKit

/// The dispatcher's record of who holds which task (`task_leases`). One row per task instance,
/// carrying the current attempt number: a report for another attempt never changes it (fencing).
///
/// Statements that change a batch of leases by key carry the state each lease must be in with
/// the keys (`t.state = d.expected`), instead of a constant filter (`t.state = 'queued'`). The
/// constant is one the planner answers from the partial indexes on `state` and their statistics:
/// taken while the queue (or the running set) was nearly empty, they made it scan every queued
/// lease and compare it with every key of the batch, a pass growing with the queue times its
/// dispatches (`EXPLAIN ANALYZE`: 17 ms instead of 1 ms for 206 dispatches). As part of the
/// join, the state can only be checked on the rows the keys find.
struct LeaseBook: Sendable {
    /// What one attempt's reports in a batch change on its lease, merged in report order.
    private struct Change: Encodable {
        let runID: UUID
        let taskID: String
        let attempt: Int
        /// The states a lease may be in for a report to change it (see `LeaseBook`).
        let expected = ["dispatched", "running"]
        var state = "running"
        var agentID: String?
        var agentSession: String?
        var startedAt: Date?
        var finishedAt: Date?

        mutating func apply(_ message: Envelope<TaskStatus>) {
            let status = message.payload
            agentID = status.agentID ?? agentID
            agentSession = status.agentSession ?? agentSession
            // The agent's start time; an older agent's `running` report was sent at the start.
            if let started = status.startedAt {
                startedAt = started
            } else if status.state == .running {
                startedAt = message.occurredAt
            }
            if status.state != .running {
                state = "done"
                finishedAt = message.occurredAt
            }
        }
    }

    /// Follows agents' reports for the current attempt: who runs it, and when it is done, for a
    /// whole batch in one statement, sent with the batch's COMMIT. Reports for an attempt that
    /// is no longer out (superseded, lost, queued again) change nothing. Returns whether a
    /// report ended an attempt, which frees its slot if the attempt was still out, so the
    /// scheduler can look again at once (a stale report costs at most one pass for nothing).
    func track(_ messages: [Envelope<TaskStatus>], _ connection: PostgresConnection) throws -> Bool {
        var order: [AttemptRef] = []
        var changes: [AttemptRef: Change] = [:]
        for message in messages where message.payload.state != .dispatched {
            let status = message.payload
            let key = AttemptRef(runID: status.runID, taskID: status.taskID, attempt: status.attempt)
            if changes[key] == nil { order.append(key) }
            changes[key, default: Change(runID: status.runID, taskID: status.taskID, attempt: status.attempt)].apply(message)
        }
        guard !order.isEmpty else { return false }
        let changed = order.compactMap { changes[$0] }
        try connection.executeDeferred("""
            UPDATE task_leases l SET state = c.state, agent_id = COALESCE(c."agentID", l.agent_id),
                agent_session = COALESCE(c."agentSession", l.agent_session),
                started_at = COALESCE(c."startedAt", l.started_at), finished_at = COALESCE(c."finishedAt", l.finished_at),
                updated_at = now()
            FROM json_to_recordset($1::json) AS c("runID" uuid, "taskID" text, attempt int, state text, "agentID" text,
                "agentSession" text, "startedAt" timestamptz, "finishedAt" timestamptz, expected text[])
            WHERE l.run_id = c."runID" AND l.task_id = c."taskID" AND l.attempt = c.attempt AND l.state = ANY(c.expected)
            """, [String(decoding: try WireCoding.encode(changed), as: UTF8.self)])
        return changed.contains { $0.state == "done" }
    }
}
