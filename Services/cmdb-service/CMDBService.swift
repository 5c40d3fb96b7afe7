import Contracts
import Foundation
import HTTP
import Postgres
import Runtime
import ServiceKit

/// cmdb-service: keeps the inventory of resources jobs run on. In this first version it registers
/// every agent from its heartbeats (host, pool, last seen); online/offline is derived from the
/// age of the last heartbeat at query time, so it is never stale.
enum CMDBService {
    @Sendable static func build(_ context: ServiceContext) async throws -> ServiceApp {
        let offlineAfter = try context.environment.seconds("WL_AGENT_OFFLINE_AFTER", default: 15)
        let loop = try context.consumerLoop("heartbeats", topics: [Topics.agentsHeartbeat], pace: .relaxed, maxBatch: 1_000) { message, connection, outbox in
            guard message.header.type == AgentHeartbeat.type else { return }
            try Inventory.register(try message.decode(AgentHeartbeat.self), connection, outbox)
        }
        var router = Router()
        router.get("/v1/resources") { request in try await Inventory.list(request, context, offlineAfter: offlineAfter) }
        return ServiceApp(router: router, services: [loop])
    }
}

enum Inventory {
    /// Agents of shared pools belong to the platform and are visible to every tenant.
    static let platformTenant = "platform"

    struct Resource: Codable, Sendable {
        let id: String
        let `class`: String
        let host: String
        let pool: String?
        let status: String
        let firstSeen: Date
        let lastSeen: Date
        let attributes: [String: String]
    }

    static func register(_ beat: Envelope<AgentHeartbeat>, _ connection: PostgresConnection, _ outbox: Outbox) throws {
        let agent = beat.payload
        let attributes = attributes(of: agent)
        let rows = try connection.query("""
            INSERT INTO resources (id, class, tenant, host, pool, attributes, last_seen) VALUES ($1, 'agent', $2, $3, $4, $5::jsonb, $6)
            ON CONFLICT (id) DO UPDATE SET host = EXCLUDED.host, pool = EXCLUDED.pool, attributes = EXCLUDED.attributes,
                last_seen = GREATEST(resources.last_seen, EXCLUDED.last_seen)
            RETURNING (xmax = 0) AS inserted
            """, [agent.agentID, platformTenant, agent.host, agent.pool,
                  String(decoding: try WireCoding.encode(attributes), as: UTF8.self), beat.occurredAt])
        if try rows.first?.bool("inserted") == true {
            try outbox.audit(AuditRecord(actor: agent.agentID, action: "resource.register", subjectType: "agent", subjectID: agent.agentID,
                                           details: ["host": agent.host, "pool": agent.pool]),
                               tenant: platformTenant, key: platformTenant)
        }
    }

    /// What the CMDB shows of an agent besides host and primary pool: capacity and use, every
    /// pool it serves (`pools`, comma-separated), each label as `label.<key>` (so one label can be
    /// read or compared on its own), and the host's load per CPU when the agent reports it.
    static func attributes(of agent: AgentHeartbeat) -> [String: String] {
        var attributes = ["slots": "\(agent.slots)", "running": "\(agent.running)", "startedAt": Timestamp.format(agent.startedAt),
                          "pools": agent.servedPools.joined(separator: ",")]
        for (key, value) in agent.labels ?? [:] {
            attributes["label.\(key)"] = value
        }
        if let load = agent.load, load.isFinite {
            attributes["load"] = String(format: "%.2f", load)
        }
        return attributes
    }

    /// `GET /v1/resources?class=&pool=&status=online|offline`.
    static func list(_ request: HTTPRequest, _ context: ServiceContext, offlineAfter: Duration) async throws -> HTTPResponse {
        let principal = try await context.principal(request)
        let status = request.query["status"]
        if let status, status != "online", status != "offline" {
            throw HTTPError.badRequest("status must be online or offline, not '\(status)'")
        }
        let seconds = offlineAfter.inSeconds
        let resources = try await context.tenantRead(principal) { connection in
            try connection.query("""
                SELECT id, class, host, pool, attributes::text AS attributes, first_seen, last_seen,
                       CASE WHEN last_seen >= now() - make_interval(secs => $4) THEN 'online' ELSE 'offline' END AS status
                FROM resources WHERE tenant IN ($1, 'platform') AND ($2::text IS NULL OR class = $2) AND ($3::text IS NULL OR pool = $3)
                ORDER BY id
                """, [principal.tenant, request.query["class"], request.query["pool"], seconds]).map { row in
                Resource(id: try row.string("id"), class: try row.string("class"), host: try row.string("host"),
                         pool: try row.optionalString("pool"), status: try row.string("status"), firstSeen: try row.date("first_seen"),
                         lastSeen: try row.date("last_seen"), attributes: try row.json("attributes", as: [String: String].self))
            }
        }
        return .json(["resources": resources.filter { status == nil || $0.status == status }])
    }
}
