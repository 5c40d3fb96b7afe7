import Contracts
import Foundation
import Postgres
import Runtime
import ServiceKit

/// What the dispatcher knows of each agent (`agent_liveness`): its pools, labels, slots, load and
/// current process (session), from heartbeats. A heartbeat also lists the attempts the agent is
/// running. Any still waiting to be accepted counts as accepted (the agent holds it, though it
/// reports `running` only for attempts that outlast `WL_RUNNING_REPORT_DELAY`); any that is no
/// longer current (lost and retried elsewhere, or queued again) is killed there, so an agent
/// that comes back after a partition stops work someone else has taken over.
struct AgentRegistry: Sendable {
    let logger: Logger

    func record(_ message: Envelope<AgentHeartbeat>, _ connection: PostgresConnection, _ outbox: Outbox) throws {
        let beat = message.payload
        try connection.execute("""
            INSERT INTO agent_liveness (agent_id, pool, host, last_seen, session, pools, labels, slots, load)
            VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8, $9)
            ON CONFLICT (agent_id) DO UPDATE SET pool = EXCLUDED.pool, host = EXCLUDED.host, pools = EXCLUDED.pools,
                labels = EXCLUDED.labels, slots = EXCLUDED.slots, load = EXCLUDED.load,
                session = CASE WHEN EXCLUDED.last_seen >= agent_liveness.last_seen THEN EXCLUDED.session ELSE agent_liveness.session END,
                lost_at = CASE WHEN EXCLUDED.last_seen >= agent_liveness.last_seen THEN NULL ELSE agent_liveness.lost_at END,
                last_seen = GREATEST(agent_liveness.last_seen, EXCLUDED.last_seen)
            """, [beat.agentID, beat.pool, beat.host, message.occurredAt, beat.session, beat.servedPools,
                  String(decoding: try WireCoding.encode(beat.labels ?? [:]), as: UTF8.self), beat.slots, beat.load])
        try accept(beat, connection)
        try killSuperseded(beat, tenant: message.tenant, connection, outbox)
    }

    /// Marks the listed attempts still `dispatched` to this agent as `running`, so the accept
    /// timeout (`LostAgentSweeper`) never gives up an order the agent has taken. The outcome (or
    /// the `running` report) still records when the attempt started.
    ///
    /// Leases locked by a batch of reports being applied at the same moment are skipped, not
    /// waited for: the batch locks the same leases in its own order, and waiting deadlocked the
    /// two (Postgres breaks a deadlock only after `deadlock_timeout`, a second in which every
    /// report waits; several a minute once short attempts stayed `dispatched` until their outcome,
    /// docs/performance.md, item 61). A skipped lease is being changed by its agent's report
    /// anyway, and the next heartbeat lists it again while it is still out.
    private func accept(_ beat: AgentHeartbeat, _ connection: PostgresConnection) throws {
        let attempts = beat.attempts ?? []
        guard !attempts.isEmpty else { return }
        try connection.execute("""
            WITH held AS (
                SELECT l.run_id, l.task_id FROM task_leases l
                JOIN unnest($2::uuid[], $3::text[], $4::int[]) AS a(run_id, task_id, attempt)
                    ON l.run_id = a.run_id AND l.task_id = a.task_id AND l.attempt = a.attempt
                WHERE l.state = 'dispatched' AND l.agent_id = $1 AND (l.agent_session IS NULL OR l.agent_session = $5)
                FOR UPDATE OF l SKIP LOCKED)
            UPDATE task_leases l SET state = 'running', agent_session = COALESCE(l.agent_session, $5), updated_at = now()
            FROM held WHERE l.run_id = held.run_id AND l.task_id = held.task_id
            """, [beat.agentID, attempts.map(\.runID), attempts.map(\.taskID), attempts.map(\.attempt), beat.session])
    }

    /// Sends `task.kill` for every listed attempt the dispatcher no longer counts on.
    private func killSuperseded(_ beat: AgentHeartbeat, tenant: String, _ connection: PostgresConnection, _ outbox: Outbox) throws {
        let attempts = beat.attempts ?? []
        guard !attempts.isEmpty else { return }
        let superseded = try connection.query("""
            SELECT l.run_id, l.task_id, l.tenant, a.attempt FROM unnest($1::uuid[], $2::text[], $3::int[]) AS a(run_id, task_id, attempt)
            JOIN task_leases l ON l.run_id = a.run_id AND l.task_id = a.task_id
            WHERE l.attempt > a.attempt OR (l.attempt = a.attempt AND l.state IN ('lost', 'queued'))
            """, [attempts.map(\.runID), attempts.map(\.taskID), attempts.map(\.attempt)])
        for row in superseded {
            let runID = try row.uuid("run_id")
            let kill = TaskKill(runID: runID, taskID: try row.string("task_id"), attempt: try row.int("attempt"),
                                reason: "superseded: the attempt was given up when agent \(beat.agentID) went silent")
            try outbox.publish(kill, tenant: try row.string("tenant"), topic: Topics.agentControl, key: runID.key)
            logger.warning("killing a superseded attempt", [LogKey.agent: beat.agentID, LogKey.run: runID.key,
                                                            LogKey.task: kill.taskID, LogKey.attempt: "\(kill.attempt ?? 0)"])
        }
    }
}
