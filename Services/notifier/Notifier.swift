import Contracts
import Foundation
import HTTP
import Postgres
import Runtime
import ServiceKit

/// notifier: turns alerts into deliveries on each tenant's channels. Consuming an alert only
/// records a pending delivery (durable, deduped by alert id); a worker sends it and retries with
/// exponential backoff, so a slow or dead webhook never holds up the alert stream.
enum Notifier {
    @Sendable static func build(_ context: ServiceContext) async throws -> ServiceApp {
        let loop = try context.consumerLoop("alerts", topics: [Topics.alerts], pace: .relaxed) { message, connection, _ in
            guard message.header.type == Alert.type else { return }
            try DeliveryQueue.enqueue(try message.decode(Alert.self), connection, logger: context.logger)
        }
        let worker = DeliveryWorker(context: context, policy: try RetryPolicy(context.environment))
        let routes = AlertRoutes(context: context)
        var router = Router()
        router.put("/v1/alert-routes", routes.setWebhook)
        router.get("/v1/alert-routes", routes.show)
        router.get("/v1/alert-deliveries", routes.deliveries)
        return ServiceApp(router: router, services: [worker, loop])
    }
}

/// How often and how patiently a delivery is retried (`WL_ALERT_*` variables).
struct RetryPolicy: Sendable {
    let maxAttempts: Int
    let baseDelay: Double
    let maxDelay: Double

    init(_ environment: Environment) throws {
        maxAttempts = try environment.int("WL_ALERT_MAX_ATTEMPTS", default: 8, range: 1...100)
        baseDelay = Double(try environment.int("WL_ALERT_RETRY_BASE_MS", default: 1_000, range: 1...3_600_000)) / 1000
        maxDelay = Double(try environment.int("WL_ALERT_RETRY_MAX_MS", default: 300_000, range: 1...86_400_000)) / 1000
    }

    /// Exponential backoff with up to 20% jitter, capped.
    func delay(afterAttempt attempt: Int) -> Double {
        let exponential = min(baseDelay * pow(2, Double(max(attempt - 1, 0))), maxDelay)
        return exponential * Double.random(in: 0.8...1.0)
    }
}

enum DeliveryQueue {
    /// The JSON body a webhook receives.
    struct WebhookBody: Codable, Sendable {
        let id: UUID
        let tenant: String
        let kind: String
        let severity: String
        let summary: String
        let runId: UUID?
        let workflow: String?
        let details: [String: String]
        let occurredAt: Date
    }

    static func enqueue(_ alert: Envelope<Alert>, _ connection: PostgresConnection, logger: Logger) throws {
        guard let route = try connection.query("SELECT webhook_url FROM alert_routes WHERE tenant = $1", [alert.tenant]).first else {
            logger.warning("alert has no route; not delivered", [LogKey.tenant: alert.tenant, "alert.kind": alert.payload.kind])
            return
        }
        let payload = alert.payload
        let body = WebhookBody(id: alert.id, tenant: alert.tenant, kind: payload.kind, severity: payload.severity, summary: payload.summary,
                               runId: payload.runID, workflow: payload.workflow, details: payload.details, occurredAt: alert.occurredAt)
        try connection.execute("""
            INSERT INTO alert_deliveries (alert_id, tenant, channel, target, payload, state) VALUES ($1, $2, 'webhook', $3, $4, 'pending')
            ON CONFLICT (alert_id, channel) DO NOTHING
            """, [alert.id, alert.tenant, try route.string("webhook_url"), String(decoding: try WireCoding.encode(body), as: UTF8.self)])
    }
}
