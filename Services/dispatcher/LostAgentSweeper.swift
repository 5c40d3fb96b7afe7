import Contracts
import Foundation
import Postgres
import Runtime
import ServiceKit

/// Re-dispatches attempts whose agent stopped heart-beating, or came back as a new process (a new
/// session under the same id: the old process's attempts died with it): the lease moves to a new attempt
/// number, so if the old agent comes back its reports are fenced off. Rows are claimed with
/// `SKIP LOCKED`, so any number of dispatcher instances can sweep without double re-dispatch.
struct LostAgentSweeper: Service {
    let name = "lost-agent-sweeper"
    let context: ServiceContext
    let leases: LeaseBook
    let agentTimeout: Duration

    func run() async throws {
        let seconds = agentTimeout.inSeconds
        while !Task.isCancelled {
            await Task.pause(.seconds(1))
            if Task.isCancelled { break }
            do {
                let count = try await sweep(timeoutSeconds: seconds)
                if count > 0 { context.logger.warning("re-dispatched attempts of silent agents", ["count": "\(count)"]) }
            } catch {
                context.logger.error("sweep failed", [LogKey.error: "\(error)"])
            }
        }
    }

    private func sweep(timeoutSeconds: Double) async throws -> Int {
        let leases = leases
        return try await context.transaction { connection, outbox in
            let lost = try connection.query("""
                WITH lost AS (
                    SELECT l.run_id, l.task_id, l.agent_id AS lost_agent FROM task_leases l LEFT JOIN agent_liveness a ON a.agent_id = l.agent_id
                    WHERE l.state = 'running' AND (COALESCE(a.last_seen, l.updated_at) < now() - make_interval(secs => $1)
                        OR a.session IS DISTINCT FROM l.agent_session AND a.session IS NOT NULL AND l.agent_session IS NOT NULL)
                    ORDER BY l.updated_at LIMIT 500 FOR UPDATE OF l SKIP LOCKED)
                UPDATE task_leases t SET attempt = t.attempt + 1, state = 'dispatched', agent_id = NULL,
                    dispatched_at = now(), updated_at = now()
                FROM lost WHERE t.run_id = lost.run_id AND t.task_id = lost.task_id
                RETURNING t.tenant, t.attempt, t.spec::text AS spec, lost.lost_agent
                """, [timeoutSeconds])
            for row in lost {
                let spec = try row.json("spec", as: TaskSpec.self)
                let tenant = try row.string("tenant")
                let attempt = try row.int("attempt")
                try leases.publishAttempt(spec, attempt: attempt, tenant: tenant, outbox)
                try outbox.publish(AuditRecord(actor: "dispatcher", action: "task.redispatch", subjectType: "task", subjectID: spec.taskID,
                                               runID: spec.runID, taskID: spec.taskID, details: ["attempt": "\(attempt)", "lostAgent": try row.optionalString("lost_agent") ?? "unknown"]),
                                   tenant: tenant, topic: Topics.audit, key: tenant)
            }
            return lost.count
        }
    }
}
