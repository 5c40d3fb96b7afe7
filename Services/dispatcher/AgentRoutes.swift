import Contracts
import Foundation
import HTTP
import Postgres
import Runtime
import ServiceKit

/// `/v1/agents` and `/v1/pools` for platform administrators: what each agent serves and runs,
/// draining an agent for maintenance (it finishes what it runs and gets nothing new), and
/// dedicating a pool to one tenant.
struct AgentRoutes: Sendable {
    let context: ServiceContext
    let agentTimeout: Duration
    let wake: WakeSignal

    struct AgentView: Codable, Sendable {
        var id: String
        var host: String
        var pools: [String]
        var labels: [String: String]
        var slots: Int
        var running: Int
        var load: Double?
        /// live, draining or lost.
        var state: String
        var lastSeen: Date
    }

    @Sendable func list(_ request: HTTPRequest) async throws -> HTTPResponse {
        let caller = try await context.authenticator.credential(request)
        try caller.requirePlatformAdmin()
        let timeout = agentTimeout.inSeconds
        let agents = try await context.database.withConnection { connection in
            try connection.query("""
                SELECT a.agent_id, a.host, to_json(a.pools)::text AS pools, a.labels::text AS labels, a.slots, a.load, a.last_seen,
                    \(AgentSQL.state) AS state,
                    (SELECT count(*)::int FROM task_leases l WHERE l.agent_id = a.agent_id AND l.state IN ('dispatched', 'running')) AS running
                FROM agent_liveness a ORDER BY a.agent_id
                """, [timeout]).map { row in
                AgentView(id: try row.string("agent_id"), host: try row.string("host"), pools: try row.json("pools", as: [String].self),
                          labels: try row.json("labels", as: [String: String].self), slots: try row.int("slots"),
                          running: try row.int("running"), load: try row.optionalDouble("load"), state: try row.string("state"),
                          lastSeen: try row.date("last_seen"))
            }
        }
        return .json(agents)
    }

    @Sendable func drain(_ request: HTTPRequest) async throws -> HTTPResponse { try await setDraining(request, true) }
    @Sendable func undrain(_ request: HTTPRequest) async throws -> HTTPResponse { try await setDraining(request, false) }

    private func setDraining(_ request: HTTPRequest, _ draining: Bool) async throws -> HTTPResponse {
        let caller = try await context.authenticator.credential(request)
        try caller.requirePlatformAdmin()
        let agent = request.pathParameters["id"] ?? ""
        let running = try await context.transaction { connection, outbox -> Int in
            guard let row = try connection.query("""
                UPDATE agent_liveness SET draining = $2 WHERE agent_id = $1
                RETURNING (SELECT count(*)::int FROM task_leases l WHERE l.agent_id = $1 AND l.state IN ('dispatched', 'running')) AS running
                """, [agent, draining]).first else {
                throw HTTPError.notFound("unknown agent '\(agent)'")
            }
            try outbox.audit(AuditRecord(actor: caller.name, action: draining ? "agent.drain" : "agent.undrain",
                                           subjectType: "agent", subjectID: agent),
                               tenant: GovernanceRoutes.platformAuditTenant, key: GovernanceRoutes.platformAuditTenant)
            return try row.int("running")
        }
        wake.notify()
        return .json(["agent": agent, "draining": "\(draining)", "running": "\(running)"])
    }

    struct PoolView: Codable, Sendable {
        var name: String
        var dedicatedTo: String?
        var agents: Int
        var slots: Int
        var running: Int
        var queued: Int
    }

    @Sendable func pools(_ request: HTTPRequest) async throws -> HTTPResponse {
        let caller = try await context.authenticator.credential(request)
        try caller.requirePlatformAdmin()
        let timeout = agentTimeout.inSeconds
        let pools = try await context.database.withConnection { connection in
            try connection.query("""
                WITH names AS (SELECT name FROM pools UNION SELECT unnest(pools) FROM agent_liveness
                               UNION SELECT pool FROM task_leases WHERE state = 'queued'
                               UNION SELECT pool FROM task_leases WHERE state IN ('dispatched', 'running'))
                SELECT n.name, p.dedicated_to,
                    (SELECT count(*)::int FROM agent_liveness a WHERE n.name = ANY(a.pools) AND \(AgentSQL.isLive)) AS agents,
                    (SELECT COALESCE(sum(a.slots), 0)::int FROM agent_liveness a WHERE n.name = ANY(a.pools) AND \(AgentSQL.isLive)) AS slots,
                    (SELECT count(*)::int FROM task_leases l WHERE l.pool = n.name AND l.state IN ('dispatched', 'running')) AS running,
                    (SELECT count(*)::int FROM task_leases l WHERE l.pool = n.name AND l.state = 'queued') AS queued
                FROM names n LEFT JOIN pools p ON p.name = n.name ORDER BY n.name
                """, [timeout]).map { row in
                PoolView(name: try row.string("name"), dedicatedTo: try row.optionalString("dedicated_to"), agents: try row.int("agents"),
                         slots: try row.int("slots"), running: try row.int("running"), queued: try row.int("queued"))
            }
        }
        return .json(pools)
    }

    struct PoolChange: Codable, Sendable {
        var dedicatedTo: String?
    }

    /// Dedicates the pool to one tenant (`dedicatedTo`), or shares it again (`null`).
    @Sendable func setPool(_ request: HTTPRequest) async throws -> HTTPResponse {
        let caller = try await context.authenticator.credential(request)
        try caller.requirePlatformAdmin()
        let pool = request.pathParameters["name"] ?? ""
        guard Topics.isAgentName(pool) else { throw HTTPError.badRequest("'\(pool)' is not a pool name") }
        let change = try request.decodeStrict(PoolChange.self, allowed: ["dedicatedTo"])
        if let tenant = change.dedicatedTo { try await GovernanceRoutes.requireTenant(tenant, context) }
        try await context.transaction { connection, outbox in
            try connection.execute("""
                INSERT INTO pools (name, dedicated_to, updated_by) VALUES ($1, $2, $3)
                ON CONFLICT (name) DO UPDATE SET dedicated_to = EXCLUDED.dedicated_to, updated_by = EXCLUDED.updated_by, updated_at = now()
                """, [pool, change.dedicatedTo, caller.name])
            try outbox.audit(AuditRecord(actor: caller.name, action: "pool.set", subjectType: "pool", subjectID: pool,
                                           details: ["dedicatedTo": change.dedicatedTo ?? "shared"]),
                               tenant: GovernanceRoutes.platformAuditTenant, key: GovernanceRoutes.platformAuditTenant)
        }
        wake.notify()
        return .json(PoolView(name: pool, dedicatedTo: change.dedicatedTo, agents: 0, slots: 0, running: 0, queued: 0))
    }
}
