import Contracts
import Foundation
import LocalStack
import Testing

extension Integration {
    @Suite struct NotifierAndCMDBTests {
        struct Deliveries: Codable {
            struct Delivery: Codable {
                let state: String
                let attempts: Int
                let lastStatus: Int?
            }
            let deliveries: [Delivery]
        }

        struct Resources: Codable {
            struct Resource: Codable {
                let id: String
                let `class`: String
                let pool: String?
                let status: String
            }
            let resources: [Resource]
        }

        @Test func webhookDeliveryIsRetriedWithBackoffUntilItSucceedsAndRecorded() async throws {
            let receiver = try WebhookReceiver(failures: 2)
            defer { receiver.stop() }
            try await Stack.withIsolated(name: "retry", agents: 1, configure: { configuration in
                configuration.environment["notifier"] = ["WL_ALERT_RETRY_BASE_MS": "200"]
            }) { stack in
                let api = StackAPI(stack)
                _ = try await api.call("PUT", "notifier", "/v1/alert-routes", tenant: "acme", body: try WireCoding.encode(["webhookUrl": receiver.url]))
                try await api.apply(Workflows.definition(name: "fails", tasks: [("boom", "exit 1", [])]), tenant: "acme")
                let id = try await api.start("fails", tenant: "acme")
                #expect(try await api.waitForRun(id, tenant: "acme").state == "failed")
                let delivered = try await api.eventually(timeout: .seconds(30)) {
                    let list = try await api.decode(Deliveries.self, "GET", "notifier", "/v1/alert-deliveries", tenant: "acme").deliveries
                    return list.first?.state == "delivered"
                }
                #expect(delivered)
                let list = try await api.decode(Deliveries.self, "GET", "notifier", "/v1/alert-deliveries", tenant: "acme").deliveries
                #expect(list.count == 1)
                #expect(list.first?.attempts == 3 && list.first?.lastStatus == 200, "two 503s, then success")
                #expect(receiver.calls == 3 && receiver.received.count == 1)
            }
        }

        @Test func agentsAreRegisteredFromHeartbeatsAndGoOfflineWhenSilent() async throws {
            try await Stack.withIsolated(name: "cmdb", agents: 2, configure: { configuration in
                configuration.environment["cmdb-service"] = ["WL_AGENT_OFFLINE_AFTER": "4"]
            }) { stack in
                let api = StackAPI(stack)
                func resources(_ query: String) async throws -> [Resources.Resource] {
                    try await api.decode(Resources.self, "GET", "cmdb-service", "/v1/resources\(query)", tenant: "acme").resources
                }
                let registered = try await api.eventually {
                    try await resources("?class=agent&status=online").map(\.id) == ["agent-1", "agent-2"]
                }
                #expect(registered)
                #expect(try await resources("?pool=default").count == 2)
                #expect(try await resources("?pool=gpu").isEmpty)
                let bad = try await api.call("GET", "cmdb-service", "/v1/resources?status=sleepy", tenant: "acme")
                #expect(bad.status == 400)
                await stack.kill("agent-2")
                let offline = try await api.eventually(timeout: .seconds(20)) {
                    try await resources("?status=offline").map(\.id) == ["agent-2"]
                }
                #expect(offline)
                #expect(try await resources("?status=online").map(\.id) == ["agent-1"])
            }
        }
    }
}
