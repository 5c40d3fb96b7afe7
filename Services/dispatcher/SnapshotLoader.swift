import Contracts
import Foundation
import Governance
import Postgres
import Runtime
import ServiceKit

/// Reads what a scheduling pass decides from, inside the pass's transaction: each tenant's queue
/// head, the running counts, today's dispatch counts, the token buckets, the configured limits
/// and the live agents.
struct SnapshotLoader: Sendable {
    /// How many of each tenant's queued tasks a pass looks at.
    let depth: QueueReadDepth
    let maxDispatches: Int
    let agentTimeout: Duration
    let logger: Logger

    /// What a pass plans from, and the wait reasons its queued tasks carry now (so only changed
    /// reasons are written back).
    struct Loaded {
        var snapshot: DispatchSnapshot
        /// `run/task` → the stored wait reason, for the queued tasks in the snapshot.
        var waitReasons: [String: String]
    }

    /// Without a pass for this long, the cluster counts as restarting and the ramp-up begins again.
    static let rampGapSeconds = 10.0

    /// Reads the snapshot in one round trip (with the pass's BEGIN and lock): the ramp-up in
    /// force, the queue heads and the state. A pass runs a hundred times a second at moderate
    /// load, where its time was mostly round trips and every task queued during a pass waits
    /// for it to end; the state is read even when the queues turn out empty (a quarter of a
    /// millisecond of the server's time) rather than in a round trip of its own. Nil when no
    /// task is queued. `startsRamp`: this process's first pass (see `rampStart`); `depth`: how
    /// many of each tenant's queued tasks to read (`QueueReadDepth`).
    func load(_ connection: PostgresConnection, startsRamp: Bool, depth: Int) throws -> Loaded? {
        let results = try connection.queries([
            (Self.rampStart, [startsRamp, Self.rampGapSeconds]),
            (Self.queueHeads, [depth]),
            (Self.state, [agentTimeout.inSeconds]),
        ])
        guard results.count == 3 else { return nil }
        let (queues, reasons) = try self.queues(from: results[1])
        guard !queues.isEmpty else { return nil }
        // The time after the lock (another instance's pass may have held it): buckets it
        // saved are never from a later moment than this pass's.
        var snapshot = DispatchSnapshot(now: Date().timeIntervalSince1970, queues: queues, agents: [], maxDispatches: maxDispatches)
        if let row = results[2].first { try read(state: row, into: &snapshot) }
        snapshot.rampStartedAt = try results[0].first?.optionalDate("ramp_started_at")?.timeIntervalSince1970
        return Loaded(snapshot: snapshot, waitReasons: reasons)
    }

    /// When the ramp-up in force began: a dispatcher process's first pass starts one, and so does
    /// a pass after none ran for `rampGapSeconds` (every dispatcher was down).
    private static let rampStart = """
        UPDATE dispatcher_state SET ramp_started_at = CASE
            WHEN $1 OR last_pass_at IS NULL OR last_pass_at < now() - make_interval(secs => $2::float8) THEN now()
            ELSE ramp_started_at END
        WHERE id = 1 RETURNING ramp_started_at
        """

    /// Everything but the queues, in one row: the attempts out, today's dispatch counts, the
    /// token buckets, the live agents and the configured limits, each a JSON column.
    private static let state = """
        SELECT
            (SELECT coalesce(json_agg(json_build_object('tenant', tenant, 'pool', pool, 'key', concurrency_key, 'agent', agent_id, 'n', n)), '[]')
             FROM (SELECT tenant, pool, concurrency_key, agent_id, count(*)::int AS n FROM task_leases
                   WHERE state IN ('dispatched', 'running') GROUP BY tenant, pool, concurrency_key, agent_id) r)::text AS running,
            (SELECT coalesce(json_agg(json_build_object('tenant', tenant, 'pool', pool, 'n', count)), '[]')
             FROM daily_dispatches WHERE day = (now() AT TIME ZONE 'UTC')::date)::text AS daily,
            (SELECT coalesce(json_agg(json_build_object('scope', scope, 'tokens', tokens, 'at', refreshed_at)), '[]')
             FROM rate_buckets)::text AS buckets,
            (SELECT coalesce(json_agg(json_build_object('id', a.agent_id, 'session', a.session, 'pools', a.pools, 'labels', a.labels,
                                                        'slots', a.slots, 'load', a.load, 'draining', a.draining) ORDER BY a.agent_id), '[]')
             FROM agent_liveness a WHERE \(AgentSQL.isLive) AND a.slots > 0)::text AS agents,
            \(GovernanceSettingsStore.columns)
        """

    private func read(state row: PostgresRow, into snapshot: inout DispatchSnapshot) throws {
        var perAgent: [String: Int] = [:]
        for out in try row.json("running", as: [RunningRow].self) {
            snapshot.running.add(tenant: out.tenant, pool: out.pool, key: out.key, count: out.n)
            if let agent = out.agent { perAgent[agent, default: 0] += out.n }
        }
        for day in try row.json("daily", as: [DailyRow].self) {
            snapshot.daily[QuotaScope(tenant: day.tenant, pool: day.pool.isEmpty ? nil : day.pool)] = day.n
        }
        for bucket in try row.json("buckets", as: [BucketRow].self) {
            snapshot.buckets[bucket.scope] = TokenBucket(tokens: bucket.tokens, at: bucket.at)
        }
        snapshot.agents = try row.json("agents", as: [AgentRow].self).map { agent in
            AgentState(id: agent.id, session: agent.session, pools: Set(agent.pools), labels: agent.labels, slots: agent.slots,
                       running: perAgent[agent.id] ?? 0, load: agent.load, draining: agent.draining)
        }
        snapshot.settings = try GovernanceSettingsStore.settings(from: row)
    }

    private struct RunningRow: Decodable { let tenant: String, pool: String, key: String?, agent: String?, n: Int }
    private struct DailyRow: Decodable { let tenant: String, pool: String, n: Int }
    private struct BucketRow: Decodable { let scope: String, tokens: Double, at: Double }
    private struct AgentRow: Decodable {
        let id: String, session: String?, pools: [String], labels: [String: String], slots: Int, load: Double?, draining: Bool
    }

    /// The first `$1` queued tasks of every tenant with any, most urgent first. The
    /// tenants are found with a skip scan over the queue index, so a tenant with 100,000 queued
    /// tasks costs no more to find than one with a single task.
    private static let queueHeads = """
        WITH RECURSIVE tenants AS (
            (SELECT tenant FROM task_leases WHERE state = 'queued' ORDER BY tenant LIMIT 1)
            UNION ALL
            SELECT (SELECT tenant FROM task_leases WHERE state = 'queued' AND tenant > tenants.tenant ORDER BY tenant LIMIT 1)
            FROM tenants WHERE tenants.tenant IS NOT NULL)
        SELECT q.run_id, q.task_id, q.tenant, q.pool, q.priority, q.selector, q.concurrency_key, q.concurrency_limit, q.wait_reason
        FROM tenants t CROSS JOIN LATERAL (
            SELECT run_id, task_id, tenant, pool, priority, selector, concurrency_key, concurrency_limit, wait_reason
            FROM task_leases WHERE state = 'queued' AND tenant = t.tenant
            ORDER BY priority DESC, queue_seq LIMIT $1) q
        WHERE t.tenant IS NOT NULL
        ORDER BY q.tenant, q.priority DESC
        """

    private func queues(from rows: PostgresRows) throws -> ([String: [QueuedTask]], [String: String]) {
        var queues: [String: [QueuedTask]] = [:]
        var reasons: [String: String] = [:]
        for row in rows {
            var task = QueuedTask(runID: try row.uuid("run_id"), taskID: try row.string("task_id"), tenant: try row.string("tenant"),
                                  pool: try row.string("pool"), priority: try row.int("priority"))
            if let text = try row.optionalString("selector") {
                do { task.selector = try LabelSelector(parsing: text) } catch {
                    // Definitions are checked at apply time; a bad stored selector matches no agent
                    // (the task waits with a reason naming it) rather than every agent.
                    logger.error("unreadable selector", [LogKey.run: task.runID.key, LogKey.task: task.taskID, LogKey.error: error.description])
                    task.selector = (try? LabelSelector(parsing: "unreadable-selector")) ?? .any
                }
            }
            if let key = try row.optionalString("concurrency_key"), let limit = try row.optionalInt("concurrency_limit") {
                task.concurrency = ConcurrencyLimit(key: key, limit: limit)
            }
            if let reason = try row.optionalString("wait_reason") { reasons[DispatchPlan.key(task)] = reason }
            queues[task.tenant, default: []].append(task)
        }
        return (queues, reasons)
    }
}
