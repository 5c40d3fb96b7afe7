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
    let queueDepth: Int
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

    func load(_ connection: PostgresConnection, now: Date, rampStartedAt: Date?) throws -> Loaded? {
        let (queues, reasons) = try self.queues(connection)
        guard !queues.isEmpty else { return nil }
        var snapshot = DispatchSnapshot(now: now.timeIntervalSince1970, queues: queues, agents: [], maxDispatches: maxDispatches)
        let (running, perAgent) = try self.running(connection)
        snapshot.running = running
        snapshot.daily = try daily(connection)
        snapshot.buckets = try buckets(connection)
        snapshot.settings = try GovernanceSettingsStore.load(connection)
        snapshot.agents = try agents(connection, running: perAgent)
        snapshot.rampStartedAt = rampStartedAt?.timeIntervalSince1970
        return Loaded(snapshot: snapshot, waitReasons: reasons)
    }

    /// The first `queueDepth` queued tasks of every tenant with any, most urgent first. The
    /// tenants are found with a skip scan over the queue index, so a tenant with 100,000 queued
    /// tasks costs no more to find than one with a single task.
    private func queues(_ connection: PostgresConnection) throws -> ([String: [QueuedTask]], [String: String]) {
        let rows = try connection.query("""
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
            """, [queueDepth])
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

    /// Attempts out (dispatched or running) by tenant, pool and concurrency key, and by agent:
    /// one scan of the active leases serves both.
    private func running(_ connection: PostgresConnection) throws -> (RunningCounts, [String: Int]) {
        var counts = RunningCounts()
        var perAgent: [String: Int] = [:]
        for row in try connection.query("""
            SELECT tenant, pool, concurrency_key, agent_id, count(*)::int AS n FROM task_leases
            WHERE state IN ('dispatched', 'running') GROUP BY tenant, pool, concurrency_key, agent_id
            """) {
            let count = try row.int("n")
            counts.add(tenant: try row.string("tenant"), pool: try row.string("pool"), key: try row.optionalString("concurrency_key"),
                       count: count)
            if let agent = try row.optionalString("agent_id") { perAgent[agent, default: 0] += count }
        }
        return (counts, perAgent)
    }

    private func daily(_ connection: PostgresConnection) throws -> [QuotaScope: Int] {
        var counts: [QuotaScope: Int] = [:]
        for row in try connection.query("""
            SELECT tenant, pool, count FROM daily_dispatches WHERE day = (now() AT TIME ZONE 'UTC')::date
            """) {
            let pool = try row.string("pool")
            counts[QuotaScope(tenant: try row.string("tenant"), pool: pool.isEmpty ? nil : pool)] = try row.int("count")
        }
        return counts
    }

    private func buckets(_ connection: PostgresConnection) throws -> [String: TokenBucket] {
        var buckets: [String: TokenBucket] = [:]
        for row in try connection.query("SELECT scope, tokens, refreshed_at FROM rate_buckets") {
            buckets[try row.string("scope")] = TokenBucket(tokens: try row.double("tokens"), at: try row.double("refreshed_at"))
        }
        return buckets
    }

    /// Agents heard from within the timeout and not lost, with their slots in use counted from
    /// the leases they hold (what the dispatcher gave them, which is ahead of their heartbeats).
    private func agents(_ connection: PostgresConnection, running: [String: Int]) throws -> [AgentState] {
        try connection.query("""
            SELECT a.agent_id, a.session, to_json(a.pools)::text AS pools, a.labels::text AS labels, a.slots, a.load, a.draining
            FROM agent_liveness a
            WHERE \(AgentSQL.isLive) AND a.slots > 0
            ORDER BY a.agent_id
            """, [agentTimeout.inSeconds]).map { row in
            AgentState(id: try row.string("agent_id"), session: try row.optionalString("session"),
                       pools: Set(try row.json("pools", as: [String].self)),
                       labels: try row.json("labels", as: [String: String].self), slots: try row.int("slots"),
                       running: running[try row.string("agent_id")] ?? 0, load: try row.optionalDouble("load"), draining: try row.bool("draining"))
        }
    }
}
