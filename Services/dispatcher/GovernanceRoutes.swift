import Contracts
import Foundation
import Governance
import HTTP
import Postgres
import Runtime
import ServiceKit

/// The dispatcher's API. Tenants read their own queue (`GET /v1/queue`, `GET /v1/quotas`);
/// platform administrators set quotas, throttles and dedicated pools and drain agents. Every
/// change is live (the next pass reads it) and audited.
struct GovernanceRoutes: Sendable {
    let context: ServiceContext
    let agentTimeout: Duration
    let wake: WakeSignal

    struct QueueView: Codable, Sendable {
        var status: TenantQueueStatus
        /// The tenant's first queued tasks and why each waits.
        var waiting: [WaitingTask]
    }

    struct WaitingTask: Codable, Sendable {
        var runId: UUID
        var taskId: String
        var pool: String
        var priority: Int
        var queuedAt: Date
        var reason: String?
    }

    @Sendable func queue(_ request: HTTPRequest) async throws -> HTTPResponse {
        let principal = try await context.principal(request)
        let view = try await context.tenantRead(principal) { connection in
            let status = try TenantQueueStatus.load(connection, tenant: principal.tenant).first
                ?? TenantQueueStatus(tenant: principal.tenant, running: 0, queued: 0, pools: [], quotas: [], dispatchedToday: 0)
            let waiting = try connection.query("""
                SELECT run_id, task_id, pool, priority, queued_at, wait_reason FROM task_leases
                WHERE state = 'queued' AND tenant = $1 ORDER BY priority DESC, queue_seq LIMIT 50
                """, [principal.tenant]).map { row in
                WaitingTask(runId: try row.uuid("run_id"), taskId: try row.string("task_id"), pool: try row.string("pool"),
                            priority: try row.int("priority"), queuedAt: try row.date("queued_at"), reason: try row.optionalString("wait_reason"))
            }
            return QueueView(status: status, waiting: waiting)
        }
        return .json(view)
    }

    /// Every tenant's queue and quotas for a platform administrator; the caller's own otherwise.
    @Sendable func quotas(_ request: HTTPRequest) async throws -> HTTPResponse {
        let caller = try await context.authenticator.credential(request)
        guard caller.isPlatform, caller.role == .admin else {
            let principal = try await context.principal(request)
            let own = try await context.tenantRead(principal) { connection in try TenantQueueStatus.load(connection, tenant: principal.tenant) }
            return .json(own)
        }
        let scope = request.query["tenant"]
        let statuses = try await context.database.withConnection { connection in try TenantQueueStatus.load(connection, tenant: scope) }
        return .json(statuses)
    }

    struct QuotaChange: Codable, Sendable {
        var pool: String?
        var maxRunning: Int?
        var rate: Double?
        var burst: Int?
        var dailyMax: Int?
    }

    /// Replaces the tenant's quota (for `pool`, or tenant-wide); absent fields are unlimited.
    @Sendable func setQuota(_ request: HTTPRequest) async throws -> HTTPResponse {
        let caller = try await context.authenticator.credential(request)
        try caller.requirePlatformAdmin()
        let tenant = request.pathParameters["tenant"] ?? ""
        let change = try request.decodeStrict(QuotaChange.self, allowed: ["pool", "maxRunning", "rate", "burst", "dailyMax"])
        let quota = Quota(maxRunning: change.maxRunning, rate: change.rate, burst: change.burst, dailyMax: change.dailyMax)
        if let problem = quota.problem { throw HTTPError.badRequest(problem) }
        if let pool = change.pool, !Topics.isAgentName(pool) { throw HTTPError.badRequest("'\(pool)' is not a pool name") }
        let scope = QuotaScope(tenant: tenant, pool: change.pool)
        try await Self.requireTenant(tenant, context)
        try await context.transaction { connection, outbox in
            try GovernanceSettingsStore.saveQuota(quota, for: scope, by: caller.name, connection)
            try outbox.audit(AuditRecord(actor: caller.name, action: "quota.set", subjectType: "quota", subjectID: scope.description,
                                           details: Self.describe(quota)),
                               tenant: tenant, key: tenant)
        }
        wake.notify()
        return .json(quota)
    }

    struct Throttles: Codable, Sendable {
        var global: Throttle
        var pools: [String: Throttle]
        /// Why the platform ceiling is below its setting right now (peak window, ramp-up, slow-down).
        var adjustment: String?
        var rampStartedAt: Date?
    }

    @Sendable func throttles(_ request: HTTPRequest) async throws -> HTTPResponse {
        let caller = try await context.authenticator.credential(request)
        try caller.requirePlatformAdmin()
        let view = try await context.database.withConnection { connection in
            let settings = try GovernanceSettingsStore.load(connection)
            let state = try connection.query("SELECT adjustment, ramp_started_at FROM dispatcher_state WHERE id = 1").first
            return Throttles(global: settings.global, pools: settings.pools, adjustment: try state?.optionalString("adjustment"),
                             rampStartedAt: try state?.optionalDate("ramp_started_at"))
        }
        return .json(view)
    }

    /// `PUT /v1/throttles/global` and `PUT /v1/throttles/pools/:pool`: replaces that throttle.
    @Sendable func setThrottle(_ request: HTTPRequest) async throws -> HTTPResponse {
        let caller = try await context.authenticator.credential(request)
        try caller.requirePlatformAdmin()
        let scope: String
        if let pool = request.pathParameters["pool"] {
            guard Topics.isAgentName(pool) else { throw HTTPError.badRequest("'\(pool)' is not a pool name") }
            scope = GovernanceSettingsStore.poolScope(pool)
        } else {
            scope = GovernanceSettingsStore.globalScope
        }
        let throttle = try request.decodeStrict(Throttle.self, allowed: [
            "rate", "burst", "maxRunning", "peakWindows", "rampUpSeconds", "rampStartRate", "slowDownLoad", "slowDownRate",
        ])
        if let problem = throttle.problem { throw HTTPError.badRequest(problem) }
        if scope != GovernanceSettingsStore.globalScope,
           throttle.rampUpSeconds != nil || throttle.rampStartRate != nil || throttle.slowDownLoad != nil || throttle.slowDownRate != nil {
            throw HTTPError.badRequest("ramp-up and slow-down settings apply to the global throttle only")
        }
        try await context.transaction { connection, outbox in
            try GovernanceSettingsStore.saveThrottle(throttle, scope: scope, by: caller.name, connection)
            try outbox.audit(AuditRecord(actor: caller.name, action: "throttle.set", subjectType: "throttle", subjectID: scope,
                                           details: ["settings": String(decoding: try WireCoding.encode(throttle), as: UTF8.self)]),
                               tenant: Self.platformAuditTenant, key: Self.platformAuditTenant)
        }
        wake.notify()
        return .json(throttle)
    }

    /// Platform-wide changes are audited under this tenant name.
    static let platformAuditTenant = "platform"

    static func requireTenant(_ tenant: String, _ context: ServiceContext) async throws {
        guard Authenticator.isTenantName(tenant), try await context.authenticator.tenantExists(tenant) else {
            throw HTTPError.notFound("unknown tenant '\(tenant)'")
        }
    }

    static func describe(_ quota: Quota) -> [String: String] {
        var details: [String: String] = [:]
        if let value = quota.maxRunning { details["maxRunning"] = "\(value)" }
        if let value = quota.rate { details["rate"] = "\(value)" }
        if let value = quota.burst { details["burst"] = "\(value)" }
        if let value = quota.dailyMax { details["dailyMax"] = "\(value)" }
        return details
    }
}
