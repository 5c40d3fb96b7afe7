import Contracts
import Foundation
import Governance
import Postgres

/// Each tenant's queue as its people and the metrics see it: running and queued counts (overall
/// and per pool), why it is held back, and when the next dispatch is expected.
struct TenantQueueStatus: Codable, Sendable, Equatable {
    struct PoolCounts: Codable, Sendable, Equatable {
        var pool: String
        var running: Int
        var queued: Int
    }

    var tenant: String
    var running: Int
    var queued: Int
    /// Why its queue is not moving (quota, throttle, concurrency, no eligible agent, capacity).
    var throttleReason: String?
    /// When the next dispatch is expected, if a rate or daily limit decides it; "when a running
    /// task ends" otherwise (nil).
    var nextDispatchAt: Date?
    var pools: [PoolCounts]
    var quotas: [QuotaView]
    var dispatchedToday: Int

    /// Cheap enough for every request and every metrics refresh: a grouped scan of each partial
    /// index of the live lease rows (queued; out on agents) and small tables. One scan filtering
    /// `state IN ('queued', 'dispatched', 'running')` matches neither index's predicate, so
    /// Postgres read the whole table, done leases included: 156 ms a call after 200,000 tasks.
    static func load(_ connection: PostgresConnection, tenant: String?) throws -> [TenantQueueStatus] {
        var byTenant: [String: TenantQueueStatus] = [:]
        func entry(_ name: String) -> TenantQueueStatus {
            byTenant[name] ?? TenantQueueStatus(tenant: name, running: 0, queued: 0, pools: [], quotas: [], dispatchedToday: 0)
        }
        for row in try connection.query("""
            SELECT tenant, pool, sum(queued)::int AS queued, sum(running)::int AS running FROM (
                SELECT tenant, pool, count(*) AS queued, 0 AS running FROM task_leases
                WHERE state = 'queued' AND ($1::text IS NULL OR tenant = $1) GROUP BY tenant, pool
                UNION ALL
                SELECT tenant, pool, 0, count(*) FROM task_leases
                WHERE state IN ('dispatched', 'running') AND ($1::text IS NULL OR tenant = $1) GROUP BY tenant, pool) c
            GROUP BY tenant, pool ORDER BY tenant, pool
            """, [tenant]) {
            let name = try row.string("tenant")
            var status = entry(name)
            let counts = PoolCounts(pool: try row.string("pool"), running: try row.int("running"), queued: try row.int("queued"))
            status.pools.append(counts)
            status.running += counts.running
            status.queued += counts.queued
            byTenant[name] = status
        }
        for row in try connection.query("""
            SELECT tenant, reason, next_dispatch_at FROM tenant_outlook WHERE $1::text IS NULL OR tenant = $1
            """, [tenant]) {
            let name = try row.string("tenant")
            guard var status = byTenant[name], status.queued > 0 else { continue }
            status.throttleReason = try row.optionalString("reason")
            status.nextDispatchAt = try row.optionalDate("next_dispatch_at")
            byTenant[name] = status
        }
        for view in try QuotaView.load(connection, tenant: tenant) {
            var status = entry(view.tenant)
            status.quotas.append(view)
            byTenant[view.tenant] = status
        }
        for row in try connection.query("""
            SELECT tenant, count FROM daily_dispatches
            WHERE pool = '' AND day = (now() AT TIME ZONE 'UTC')::date AND ($1::text IS NULL OR tenant = $1)
            """, [tenant]) {
            let name = try row.string("tenant")
            var status = entry(name)
            status.dispatchedToday = try row.int("count")
            byTenant[name] = status
        }
        if let tenant, byTenant[tenant] == nil { byTenant[tenant] = entry(tenant) }
        return byTenant.keys.sorted().compactMap { byTenant[$0] }
    }
}

/// One configured quota, tenant-wide (`pool` nil) or for one pool.
struct QuotaView: Codable, Sendable, Equatable {
    var tenant: String
    var pool: String?
    var maxRunning: Int?
    var rate: Double?
    var burst: Int?
    var dailyMax: Int?
    var updatedBy: String
    var updatedAt: Date

    var quota: Quota { Quota(maxRunning: maxRunning, rate: rate, burst: burst, dailyMax: dailyMax) }

    static func load(_ connection: PostgresConnection, tenant: String?) throws -> [QuotaView] {
        try connection.query("""
            SELECT tenant, pool, settings::text AS settings, updated_by, updated_at FROM quotas
            WHERE $1::text IS NULL OR tenant = $1 ORDER BY tenant, pool
            """, [tenant]).map { row in
            let quota = try row.json("settings", as: Quota.self)
            let pool = try row.string("pool")
            return QuotaView(tenant: try row.string("tenant"), pool: pool.isEmpty ? nil : pool, maxRunning: quota.maxRunning,
                             rate: quota.rate, burst: quota.burst, dailyMax: quota.dailyMax, updatedBy: try row.string("updated_by"),
                             updatedAt: try row.date("updated_at"))
        }
    }
}
