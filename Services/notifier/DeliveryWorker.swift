import Foundation
import HTTP
import Postgres
import Runtime
import ServiceKit

/// Sends due deliveries. A delivery is claimed by pushing its next attempt time a minute ahead,
/// so if this process dies mid-send another instance retries it after that lease; receivers get
/// the alert id in `X-WL-Alert-ID` to drop the rare duplicate.
struct DeliveryWorker: Service {
    let name = "delivery-worker"
    let context: ServiceContext
    let policy: RetryPolicy
    private let client = HTTPClient(timeout: .seconds(10))

    init(context: ServiceContext, policy: RetryPolicy) {
        self.context = context
        self.policy = policy
    }


    private struct Due: Sendable {
        let id: Int64
        let alertID: String
        let target: String
        let payload: String
        let attempts: Int
    }

    func run() async throws {
        while !Task.isCancelled {
            do {
                let due = try await claim()
                if due.isEmpty { await Task.pause(.milliseconds(250)) }
                await withTaskGroup(of: Void.self) { group in
                    for delivery in due { group.addTask { await send(delivery) } }
                }
            } catch {
                context.logger.error("delivery loop failed", [LogKey.error: "\(error)"])
                await Task.pause(.seconds(1))
            }
        }
    }

    private func claim() async throws -> [Due] {
        try await context.database.withConnection { connection in
            try connection.query("""
                UPDATE alert_deliveries SET next_attempt_at = now() + interval '60 seconds', attempts = attempts + 1
                WHERE id IN (SELECT id FROM alert_deliveries WHERE state = 'pending' AND next_attempt_at <= now()
                             ORDER BY next_attempt_at LIMIT 20 FOR UPDATE SKIP LOCKED)
                RETURNING id, alert_id, target, payload, attempts
                """).map { row in
                Due(id: try row.int64("id"), alertID: try row.string("alert_id"), target: try row.string("target"),
                    payload: try row.string("payload"), attempts: try row.int("attempts"))
            }
        }
    }

    private func send(_ delivery: Due) async {
        var status: Int?
        var failure: String?
        do {
            let response = try await client.send(method: "POST", url: delivery.target,
                                                 headers: ["Content-Type": "application/json", "X-WL-Alert-ID": delivery.alertID],
                                                 body: Array(delivery.payload.utf8))
            status = response.status
            if !(200..<300).contains(response.status) { failure = "HTTP \(response.status)" }
        } catch {
            failure = "\(error)"
        }
        do { try await record(delivery, status: status, failure: failure) } catch {
            context.logger.error("could not record delivery result", [LogKey.error: "\(error)"])
        }
    }

    private func record(_ delivery: Due, status: Int?, failure: String?) async throws {
        let delay = policy.delay(afterAttempt: delivery.attempts)
        let exhausted = delivery.attempts >= policy.maxAttempts
        let state = failure == nil ? "delivered" : (exhausted ? "failed" : "pending")
        try await context.database.withConnection { connection in
            try connection.execute("""
                UPDATE alert_deliveries SET state = $2, last_status = $3, last_error = $4,
                    next_attempt_at = now() + make_interval(secs => $5), delivered_at = CASE WHEN $2 = 'delivered' THEN now() END
                WHERE id = $1
                """, [delivery.id, state, status, failure, delay])
        }
        let metadata = ["alert.id": delivery.alertID, "attempt": "\(delivery.attempts)", "state": state]
        if let failure { context.logger.warning("webhook delivery failed", metadata.merging([LogKey.error: failure]) { $1 }) } else {
            context.logger.info("webhook delivered", metadata)
        }
    }
}
