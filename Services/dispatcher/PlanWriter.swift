import Contracts
import Foundation
import Governance
import Postgres
import Runtime
import ServiceKit

/// Stores a pass's decisions in the pass's transaction: leases move to `dispatched` with the next
/// attempt number and their agent, signed orders and `dispatched` reports go to the outbox, and
/// wait reasons, buckets, daily counts, tenant outlooks and daily-quota alerts are recorded.
/// Everything commits together or not at all, so a dispatcher killed mid-pass dispatches nothing
/// twice and loses nothing.
struct PlanWriter: Sendable {
    let signer: DispatchSigner
    let logger: Logger

    /// `recordedWaits` are the wait reasons the plan's queued tasks carried when the pass
    /// loaded them; only reasons that differ are written.
    func apply(_ plan: DispatchPlan, recordedWaits: [String: String], _ connection: PostgresConnection, _ outbox: Outbox) throws {
        try dispatch(plan.dispatches, connection, outbox)
        try recordWaits(plan.waits.filter { recordedWaits[$0.key] != $0.value.description }, connection)
        try saveBuckets(plan.buckets, connection)
        try countDaily(plan.dispatches, connection)
        try saveOutlook(plan.outlook, connection)
        try alertDailyQuotas(plan.dailyReached, connection, outbox)
    }

    private func dispatch(_ decisions: [DispatchDecision], _ connection: PostgresConnection, _ outbox: Outbox) throws {
        guard !decisions.isEmpty else { return }
        // The expected state travels with the keys (see `LeaseBook`). The spec is read from
        // `task_specs` in the same statement; a lease without one (never written so) stays queued.
        let rows = try connection.query("""
            UPDATE task_leases t SET state = 'dispatched', attempt = t.attempt + 1, agent_id = d.agent_id, agent_session = d.session,
                wait_reason = NULL, dispatched_at = now(), updated_at = now()
            FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[]) AS d(run_id, task_id, agent_id, session, expected)
            JOIN task_specs s ON s.run_id = d.run_id AND s.task_id = d.task_id
            WHERE t.run_id = d.run_id AND t.task_id = d.task_id AND t.state = d.expected
            RETURNING t.run_id, t.task_id, t.tenant, t.attempt, s.spec::text AS spec, t.agent_id, t.agent_session
            """, [decisions.map(\.task.runID), decisions.map(\.task.taskID), decisions.map(\.agentID),
                  decisions.map { $0.agentSession ?? "" }, Array(repeating: "queued", count: decisions.count)])
        let now = Date()
        var orders = OrderedGroups<Address, DispatchOrder.Prepared>()
        for row in rows {
            // The spec as stored at intake (a `json` column: Postgres checked it is JSON).
            let spec = RawJSON(trusted: Array(try row.string("spec").utf8))
            let session = try row.optionalString("agent_session").flatMap { $0.isEmpty ? nil : $0 }
            let order = DispatchOrder.Prepared(task: spec, attempt: try row.int("attempt"), tenant: try row.string("tenant"),
                                               agentID: try row.string("agent_id"), agentSession: session, issuedAt: now)
            orders.append(order, to: Address(agentID: order.agentID, session: order.agentSession, tenant: order.tenant))
            try report(order, runID: try row.uuid("run_id"), taskID: try row.string("task_id"), outbox)
        }
        try publish(orders, outbox)
        if rows.count < decisions.count {
            logger.warning("some planned dispatches were no longer queued", ["planned": "\(decisions.count)", "done": "\(rows.count)"])
        }
    }

    /// Who an order is for: one signed message per addressee and pass.
    private struct Address: Hashable {
        let agentID: String
        let session: String?
        let tenant: String
    }

    /// Each addressee's orders as few signed messages on its agent's topic (one signature per
    /// message, within `MessageLimits`), keyed by tenant so a tenant's orders arrive in
    /// the order the pass chose them.
    private func publish(_ orders: OrderedGroups<Address, DispatchOrder.Prepared>, _ outbox: Outbox) throws {
        for address in orders.keys {
            let topic = Topics.dispatch(agent: address.agentID)
            for chunk in orders[address].chunked(size: \.estimatedBytes) {
                if chunk.count == 1, let order = chunk.first {
                    try outbox.publish(try signer.sign(order), tenant: address.tenant, topic: topic, key: address.tenant)
                } else {
                    try outbox.publish(try signer.sign(chunk), tenant: address.tenant, topic: topic, key: address.tenant)
                }
            }
        }
    }

    /// `dispatched` to the resolver, grouped with the pass's other reports for the run.
    private func report(_ order: DispatchOrder.Prepared, runID: UUID, taskID: String, _ outbox: Outbox) throws {
        let runKey = runID.key
        try outbox.publish(grouped: TaskStatus(runID: runID, taskID: taskID, attempt: order.attempt, state: .dispatched,
                                               agentID: order.agentID),
                           tenant: order.tenant, topic: Topics.tasksStatus, key: runKey)
        logger.debug("dispatched", [LogKey.tenant: order.tenant, LogKey.run: runKey, LogKey.task: taskID,
                                    LogKey.attempt: "\(order.attempt)", LogKey.agent: order.agentID])
    }

    /// Writes the reasons that changed since the pass loaded its queues, so a long queue waiting
    /// for the same reason costs no writes (nor index lookups) pass after pass.
    private func recordWaits(_ waits: [String: WaitReason], _ connection: PostgresConnection) throws {
        guard !waits.isEmpty else { return }
        var runs: [String] = [], tasks: [String] = [], reasons: [String] = []
        for (key, reason) in waits {
            guard let slash = key.firstIndex(of: "/") else { continue }
            runs.append(String(key[..<slash]))
            tasks.append(String(key[key.index(after: slash)...]))
            reasons.append(reason.description)
        }
        try connection.executeDeferred("""
            UPDATE task_leases t SET wait_reason = w.reason
            FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[]) AS w(run_id, task_id, reason, expected)
            WHERE t.run_id = w.run_id AND t.task_id = w.task_id AND t.state = w.expected AND t.wait_reason IS DISTINCT FROM w.reason
            """, [runs, tasks, reasons, Array(repeating: "queued", count: runs.count)])
    }

    private func saveBuckets(_ buckets: [String: TokenBucket], _ connection: PostgresConnection) throws {
        guard !buckets.isEmpty else { return }
        let scopes = Array(buckets.keys)
        try connection.executeDeferred("""
            INSERT INTO rate_buckets (scope, tokens, refreshed_at)
            SELECT * FROM unnest($1::text[], $2::float8[], $3::float8[])
            ON CONFLICT (scope) DO UPDATE SET tokens = EXCLUDED.tokens, refreshed_at = EXCLUDED.refreshed_at
            """, [scopes, scopes.map { "\(buckets[$0]?.tokens ?? 0)" }, scopes.map { "\(buckets[$0]?.at ?? 0)" }])
    }

    /// Adds the pass's dispatches to today's (UTC) counts, tenant-wide (pool '') and per pool.
    private func countDaily(_ decisions: [DispatchDecision], _ connection: PostgresConnection) throws {
        guard !decisions.isEmpty else { return }
        var counts: [QuotaScope: Int] = [:]
        for decision in decisions {
            counts[QuotaScope(tenant: decision.task.tenant), default: 0] += 1
            counts[QuotaScope(tenant: decision.task.tenant, pool: decision.task.pool), default: 0] += 1
        }
        let scopes = Array(counts.keys)
        try connection.executeDeferred("""
            INSERT INTO daily_dispatches (tenant, pool, day, count)
            SELECT c.tenant, c.pool, (now() AT TIME ZONE 'UTC')::date, c.n FROM unnest($1::text[], $2::text[], $3::int[]) AS c(tenant, pool, n)
            ON CONFLICT (tenant, pool, day) DO UPDATE SET count = daily_dispatches.count + EXCLUDED.count
            """, [scopes.map(\.tenant), scopes.map { $0.pool ?? "" }, scopes.map { counts[$0] ?? 0 }])
    }

    private func saveOutlook(_ outlook: [String: TenantOutlook], _ connection: PostgresConnection) throws {
        guard !outlook.isEmpty else { return }
        let tenants = Array(outlook.keys)
        try connection.executeDeferred("""
            INSERT INTO tenant_outlook (tenant, reason, next_dispatch_at, updated_at)
            SELECT o.tenant, NULLIF(o.reason, ''), to_timestamp(NULLIF(o.next, '')::float8), now()
            FROM unnest($1::text[], $2::text[], $3::text[]) AS o(tenant, reason, next)
            ON CONFLICT (tenant) DO UPDATE SET reason = EXCLUDED.reason, next_dispatch_at = EXCLUDED.next_dispatch_at, updated_at = now()
            """, [tenants, tenants.map { outlook[$0]?.reason ?? "" }, tenants.map { outlook[$0]?.nextDispatchAt.map { "\($0)" } ?? "" }])
    }

    /// One `quota.daily` alert per scope and UTC day.
    private func alertDailyQuotas(_ scopes: Set<QuotaScope>, _ connection: PostgresConnection, _ outbox: Outbox) throws {
        for scope in scopes {
            let fresh = try connection.execute("""
                INSERT INTO quota_alerts (tenant, pool, day) VALUES ($1, $2, (now() AT TIME ZONE 'UTC')::date) ON CONFLICT DO NOTHING
                """, [scope.tenant, scope.pool ?? ""])
            guard fresh > 0 else { continue }
            let summary = "daily task quota reached for \(scope); its work is held until 00:00 UTC"
            try outbox.publish(Alert(kind: "quota.daily", severity: "warning", summary: summary, runID: nil, workflow: nil,
                                     details: ["pool": scope.pool ?? "*"]),
                               tenant: scope.tenant, topic: Topics.alerts, key: scope.tenant)
            try outbox.audit(AuditRecord(actor: "dispatcher", action: "quota.daily.reached", subjectType: "tenant", subjectID: scope.tenant,
                                           details: ["pool": scope.pool ?? "*"]),
                               tenant: scope.tenant, key: scope.tenant)
        }
    }
}
