import Contracts
import Foundation
import Kafka
import Postgres
import Runtime
import ServiceKit

/// Gives up the attempts of agents that stopped heart-beating, came back as a new process (a new
/// session under the same id: the old process's attempts died with it), or never took an order
/// addressed to them (neither its `running` report nor a heartbeat listing it came within
/// `WL_ACCEPT_TIMEOUT`): each such attempt is marked `lost` and reported `failed` with reason `lost`,
/// so the resolver retries it per the task's retry policy (a new attempt, on another agent).
/// If the old agent comes back, its reports for those attempts are fenced off and its heartbeat
/// gets them killed (`AgentRegistry`). Rows are claimed with `SKIP LOCKED`, so any number of
/// dispatcher instances can sweep without reporting an attempt twice.
///
/// Silence is only believed once this instance's heartbeat consumer has held the same partitions
/// for `agentTimeout`: while the group rebalances (an instance died, started or restarted) nobody
/// reads some heartbeats, and a stale `last_seen` then says nothing about the agent. Without this
/// grace a dispatcher takeover could give up running attempts and run them again.
struct LostAgentSweeper: Service {
    let name = "lost-agent-sweeper"
    let context: ServiceContext
    let agentTimeout: Duration
    /// How long an order may wait for its (live) agent to accept it.
    let acceptTimeout: Duration
    let wake: WakeSignal
    /// The consumer that reads heartbeats into `agent_liveness`.
    let heartbeats: KafkaConsumer

    func run() async throws {
        var partitions: [String: [Int32]] = [:]
        var heldSince = ContinuousClock.now
        while !Task.isCancelled {
            await Task.pause(.seconds(1))
            if Task.isCancelled { break }
            let assignment = await heartbeats.assignment()
            if assignment != partitions || assignment.isEmpty {
                partitions = assignment
                heldSince = ContinuousClock.now
            }
            let silenceIsTrusted = ContinuousClock.now - heldSince >= agentTimeout
            do {
                let count = try await sweep(silenceIsTrusted: silenceIsTrusted)
                if count > 0 {
                    context.logger.warning("gave up attempts of lost agents", ["count": "\(count)"])
                    wake.notify()
                }
            } catch {
                context.logger.error("sweep failed", [LogKey.error: "\(error)"])
            }
        }
    }

    private func sweep(silenceIsTrusted: Bool) async throws -> Int {
        let timeout = agentTimeout.inSeconds, accept = acceptTimeout.inSeconds
        return try await context.transaction { connection, outbox in
            if silenceIsTrusted {
                try connection.execute("""
                    UPDATE agent_liveness SET lost_at = now()
                    WHERE lost_at IS NULL AND last_seen < now() - make_interval(secs => $1::float8)
                    """, [timeout])
            }
            let lost = try connection.query("""
                WITH lost AS (
                    SELECT l.run_id, l.task_id FROM task_leases l LEFT JOIN agent_liveness a ON a.agent_id = l.agent_id
                    WHERE l.state IN ('dispatched', 'running') AND (a.agent_id IS NULL OR a.lost_at IS NOT NULL
                        OR (a.session IS DISTINCT FROM l.agent_session AND a.session IS NOT NULL AND l.agent_session IS NOT NULL)
                        OR (l.state = 'dispatched' AND l.dispatched_at < now() - make_interval(secs => $1::float8)))
                    ORDER BY l.updated_at LIMIT 500 FOR UPDATE OF l SKIP LOCKED)
                UPDATE task_leases t SET state = 'lost', updated_at = now()
                FROM lost WHERE t.run_id = lost.run_id AND t.task_id = lost.task_id
                RETURNING t.run_id, t.task_id, t.tenant, t.attempt, t.agent_id
                """, [accept])
            for row in lost {
                let runID = try row.uuid("run_id"), taskID = try row.string("task_id"), tenant = try row.string("tenant")
                let attempt = try row.int("attempt"), agent = try row.optionalString("agent_id") ?? "unknown"
                try outbox.publish(grouped: TaskStatus(runID: runID, taskID: taskID, attempt: attempt, state: .failed, agentID: agent,
                                                       reason: TaskFailure.lost),
                                   tenant: tenant, topic: Topics.tasksStatus, key: runID.key)
                try outbox.audit(AuditRecord(actor: "dispatcher", action: "task.lost", subjectType: "task", subjectID: taskID,
                                               runID: runID, taskID: taskID, details: ["attempt": "\(attempt)", "lostAgent": agent]),
                                   tenant: tenant, key: runID.key)
            }
            return lost.count
        }
    }
}
