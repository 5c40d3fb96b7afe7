import Contracts
import Foundation
import HTTP
import Postgres
import ServiceKit

/// `/v1/alert-routes` (the tenant's webhook) and `/v1/alert-deliveries` (what was sent, how it went).
struct AlertRoutes: Sendable {
    let context: ServiceContext

    struct WebhookRoute: Codable, Sendable {
        let webhookUrl: String
    }

    struct Delivery: Codable, Sendable {
        let id: Int64
        let alertId: UUID
        let channel: String
        let target: String
        let state: String
        let attempts: Int
        let lastStatus: Int?
        let lastError: String?
        let createdAt: Date
        let deliveredAt: Date?
    }

    @Sendable func setWebhook(_ request: HTTPRequest) async throws -> HTTPResponse {
        let principal = try await context.principal(request)
        try principal.requireWrite()
        let route = try request.decodeStrict(WebhookRoute.self, allowed: ["webhookUrl"])
        guard let url = URL(string: route.webhookUrl), ["http", "https"].contains(url.scheme ?? ""), url.host != nil else {
            throw HTTPError.badRequest("webhookUrl must be an http or https URL, got '\(route.webhookUrl)'")
        }
        // Only the host is audited: webhook URLs often carry a secret in their path.
        let host = url.host ?? ""
        try await context.tenantScoped(principal) { connection, outbox in
            try connection.execute("""
                INSERT INTO alert_routes (tenant, webhook_url) VALUES ($1, $2)
                ON CONFLICT (tenant) DO UPDATE SET webhook_url = EXCLUDED.webhook_url, updated_at = now()
                """, [principal.tenant, route.webhookUrl])
            try outbox.audit(AuditRecord(actor: principal.name, action: "alert-route.set", subjectType: "alert-route",
                                           subjectID: "webhook", details: ["host": host]),
                               tenant: principal.tenant, key: principal.tenant)
        }
        return .json(route)
    }

    @Sendable func show(_ request: HTTPRequest) async throws -> HTTPResponse {
        let principal = try await context.principal(request)
        let url = try await context.tenantRead(principal) { connection in
            try connection.query("SELECT webhook_url FROM alert_routes WHERE tenant = $1", [principal.tenant]).first.map { try $0.string("webhook_url") }
        }
        guard let url else { throw HTTPError.notFound("no alert route for tenant '\(principal.tenant)'") }
        return .json(WebhookRoute(webhookUrl: url))
    }

    @Sendable func deliveries(_ request: HTTPRequest) async throws -> HTTPResponse {
        let principal = try await context.principal(request)
        let deliveries = try await context.tenantRead(principal) { connection in
            try connection.query("""
                SELECT id, alert_id, channel, target, state, attempts, last_status, last_error, created_at, delivered_at
                FROM alert_deliveries WHERE tenant = $1 ORDER BY id DESC LIMIT 200
                """, [principal.tenant]).map { row in
                Delivery(id: try row.int64("id"), alertId: try row.uuid("alert_id"), channel: try row.string("channel"),
                         target: try row.string("target"), state: try row.string("state"), attempts: try row.int("attempts"),
                         lastStatus: try row.optionalInt("last_status"), lastError: try row.optionalString("last_error"),
                         createdAt: try row.date("created_at"), deliveredAt: try row.optionalDate("delivered_at"))
            }
        }
        return .json(["deliveries": deliveries])
    }
}
