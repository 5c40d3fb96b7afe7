import Contracts
import Foundation
import HTTP
import Kafka
import LocalStack
import Runtime
import Sodium
import Testing

extension Integration {
    /// Event triggers on a real stack: signed webhooks and Kafka-topic messages start runs with
    /// the event's fields as parameters, recording where they came from.
    @Suite struct EventTriggerTests {
        @Test func signedWebhookStartsARunAndReplaysAndForgeriesGet401() async throws {
            try await Stack.withIsolated(name: "trigger-webhook", agents: 1) { stack in
                let api = StackAPI(stack)
                try await api.apply(TriggerWorkflows.with(name: "ingest", "\"description\": \"on upload\"",
                                                          task: "test \"$WL_PARAM_file\" = invoices.csv"), tenant: "acme")
                struct Created: Codable { let id: UUID; let path: String; let secret: String? }
                let hook = try await api.decode(Created.self, "POST", "trigger-service", "/v1/workflows/ingest/webhooks", tenant: "acme",
                                                body: Array(#"{"name": "upload"}"#.utf8))
                let secret = try #require(hook.secret)
                let duplicate = try await api.attempt("POST", "/v1/workflows/ingest/webhooks", tenant: "acme", body: #"{"name": "upload"}"#)
                #expect(duplicate.status == 409)

                let body = Array(#"{"file": "invoices.csv", "size": 1024}"#.utf8)
                let now = Int(Date().timeIntervalSince1970)
                let signed = sign(secret, now, body)
                let accepted = try await post(stack, hook.path, body, timestamp: "\(now)", signature: signed)
                #expect(accepted.status == 202, "\(String(decoding: accepted.body, as: UTF8.self))")
                struct Started: Codable { let id: UUID }
                let runID = try WireCoding.decode(Started.self, from: accepted.body).id
                let run = try await api.waitForRun(runID, tenant: "acme")
                #expect(run.state == "succeeded", "the body's fields reached the task as parameters")
                let triggered = try await api.triggeredRun(runID, tenant: "acme")
                #expect(triggered.source == "event" && triggered.requestedBy == "webhook:upload")
                #expect(triggered.parameters == ["file": "invoices.csv", "size": "1024"])

                let replay = try await post(stack, hook.path, body, timestamp: "\(now)", signature: signed)
                #expect(replay.status == 401, "a replayed request is refused")
                let forged = try await post(stack, hook.path, body, timestamp: "\(now)", signature: sign("not-the-secret", now, body))
                #expect(forged.status == 401)
                let tampered = try await post(stack, hook.path, Array(#"{"file": "other.csv"}"#.utf8), timestamp: "\(now)", signature: signed)
                #expect(tampered.status == 401)
                let old = now - 3_600
                let stale = try await post(stack, hook.path, body, timestamp: "\(old)", signature: sign(secret, old, body))
                #expect(stale.status == 401, "a request outside the replay window is refused")
                let unsigned = try await post(stack, hook.path, body, timestamp: nil, signature: nil)
                #expect(unsigned.status == 401)
                #expect(try await api.runs("ingest", tenant: "acme") == [runID], "only the genuine request started a run")

                let listed = try await api.attempt("GET", "/v1/webhooks", tenant: "acme")
                #expect(listed.text.contains("upload") && !listed.text.contains(secret), "the secret is shown only once")
                #expect(try await api.attempt("GET", "/v1/webhooks", tenant: "globex").text.contains("upload") == false)
            }
        }

        @Test func kafkaMessageMatchingTheFilterStartsARunWithItsFieldsAsParameters() async throws {
            try await Stack.withIsolated(name: "trigger-kafka", agents: 1, configure: { configuration in
                configuration.environment["trigger-service"] = ["WL_EVENT_TRIGGER_REFRESH": "0.5"]
            }) { stack in
                let api = StackAPI(stack)
                try await api.apply(TriggerWorkflows.with(name: "post-invoice", """
                    "events": [{"id": "posted", "topic": "erp.invoices", "match": {"type": "invoice.posted", "meta.region": "eu"},
                                "parameters": {"channel": "kafka"}}]
                    """), tenant: "acme")
                let producer = try KafkaProducer(configuration: KafkaConfiguration(bootstrapServers: stack.kafkaBootstrap),
                                                 logger: Logger(label: "test-producer", level: .warning))
                let messages = [
                    #"{"type": "invoice.posted", "invoice": "INV-1", "meta": {"region": "eu"}}"#,
                    #"{"type": "invoice.voided", "invoice": "INV-2", "meta": {"region": "eu"}}"#,
                    #"{"type": "invoice.posted", "invoice": "INV-3", "meta": {"region": "us"}}"#,
                    "not json at all",
                ]
                try await producer.send(messages.map { KafkaOutgoingMessage(topic: "erp.invoices", key: nil, value: Array($0.utf8)) })
                var runs: [UUID] = []
                let started = try await api.eventually(timeout: .seconds(60)) {
                    runs = try await api.runs("post-invoice", tenant: "acme")
                    return !runs.isEmpty
                }
                #expect(started, "the matching message started a run")
                try await Task.sleep(for: .seconds(3))
                runs = try await api.runs("post-invoice", tenant: "acme")
                #expect(runs.count == 1, "only the message matching every filter field started a run")
                let run = try await api.triggeredRun(try #require(runs.first), tenant: "acme")
                #expect(run.source == "event" && run.requestedBy == "topic:erp.invoices")
                #expect(run.parameters["invoice"] == "INV-1" && run.parameters["channel"] == "kafka" && run.parameters["type"] == "invoice.posted")

                await stack.kill("trigger-service")
                try await stack.start("trigger-service")
                try await Task.sleep(for: .seconds(4))
                #expect(try await api.runs("post-invoice", tenant: "acme").count == 1, "a redelivered message starts no second run")
            }
        }

        private func sign(_ secret: String, _ timestamp: Int, _ body: [UInt8]) -> String {
            "sha256=" + Sodium.hex(Sodium.hmacSHA256(key: Array(secret.utf8), message: Array("\(timestamp).".utf8) + body))
        }

        private func post(_ stack: Stack, _ path: String, _ body: [UInt8], timestamp: String?,
                          signature: String?) async throws -> (status: Int, body: [UInt8]) {
            var headers = ["Content-Type": "application/json"]
            headers["X-WL-Timestamp"] = timestamp
            headers["X-WL-Signature"] = signature
            return try await HTTPClient(timeout: .seconds(10)).send(method: "POST", url: try stack.endpoint("trigger-service") + path,
                                                                    headers: headers, body: body)
        }
    }
}
