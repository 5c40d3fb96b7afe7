import Contracts
import Foundation
import LocalStack
import Postgres
import Runtime
import Testing

extension Integration {
    /// Tenant isolation through the APIs: tenant B, with a normal tenant credential, tries every
    /// read and write endpoint of every service against tenant A's objects and gets 403 or 404,
    /// never A's data; lists show only B's own.
    @Suite struct TenantIsolationTests {
        /// Appears in A's data and in nothing B sends, so finding it in an answer to B is a leak.
        static let secret = "zq7-alpha-only"

        /// A's objects, by the ids and names B will try.
        struct AlphaObjects {
            let run: String
            let hook: String
            let hookSecret: String
        }

        @Test func aTenantCanNeitherReadNorChangeAnotherTenantsObjects() async throws {
            try await Stack.withIsolated(name: "tenant-isolation", agents: 1) { stack in
                let alpha = try await TenantClient.issue(stack, tenant: "alpha", name: "alpha-admin", role: "admin")
                let bravo = try await TenantClient.issue(stack, tenant: "bravo", name: "bravo-admin", role: "admin")
                let objects = try await Self.createAlphaObjects(alpha, stack)
                _ = try await bravo.decode(Applied.self, "POST", "trigger-service", "/v1/workflows",
                                           body: #"{"name": "b-flow", "tasks": [{"id": "t", "run": "true"}]}"#)
                // B's own audit trail is written, so A's (written earlier) has been consumed too.
                #expect(try await waitUntil { try await bravo.call("GET", "audit-service", "/v1/audit").text.contains("b-flow") })

                try await Self.refusesEveryEndpoint(bravo, objects)
                try await Self.listsShowOnlyOwnObjects(bravo, objects)
                try await Self.sameNamesAreSeparateObjects(alpha, bravo)
                try await Self.alphaIsUntouched(alpha, objects)

                var crossing = bravo
                crossing.tenant = "alpha"
                for (method, path) in [("GET", "/v1/workflows"), ("POST", "/v1/runs")] {
                    let answer = try await crossing.call(method, "trigger-service", path, body: method == "POST" ? #"{"workflow": "ledger-close"}"# : nil)
                    #expect(answer.status == 403, "a tenant credential naming another tenant: \(answer)")
                }
            }
        }

        struct Applied: Codable { let version: Int }

        /// A workflow with a schedule and a finished run, a calendar, a webhook, an alert route,
        /// audit records, and (written directly, no API creates them) a resource and a delivery.
        static func createAlphaObjects(_ alpha: TenantClient, _ stack: Stack) async throws -> AlphaObjects {
            _ = try await alpha.decode(Applied.self, "POST", "trigger-service", "/v1/workflows", body: """
                {"name": "ledger-close", "description": "\(secret)", "schedules": [{"id": "yearly", "cron": "0 0 1 1 *"}],
                 "tasks": [{"id": "close", "run": "echo \(secret)"}]}
                """)
            let calendar = try await alpha.call("PUT", "trigger-service", "/v1/calendars/alpha-holidays",
                                                body: #"{"description": "\#(secret)", "dates": ["2030-12-25"]}"#)
            #expect(calendar.status == 200, "\(calendar)")
            struct Hook: Codable { let id: UUID; let secret: String? }
            let hook = try await alpha.decode(Hook.self, "POST", "trigger-service", "/v1/workflows/ledger-close/webhooks", body: #"{"name": "ingest"}"#)
            _ = try await alpha.decode([String: String].self, "PUT", "notifier", "/v1/alert-routes",
                                       body: #"{"webhookUrl": "http://127.0.0.1:9/\#(secret)"}"#)
            struct Started: Codable { let id: UUID }
            let run = try await alpha.decode(Started.self, "POST", "trigger-service", "/v1/runs", body: #"{"workflow": "ledger-close"}"#).id.key
            let finished = try await waitUntil(timeout: .seconds(60)) {
                try await alpha.call("GET", "dependency-resolver", "/v1/runs/\(run)").text.contains("\"state\":\"succeeded\"")
            }
            #expect(finished, "A's run finished")
            #expect(try await waitUntil { try await alpha.call("GET", "audit-service", "/v1/audit?run=\(run)").text.contains("run.trigger") })
            let database = PostgresClient(configuration: PostgresConfiguration(connectionString: stack.databaseURL, poolSize: 1),
                                          logger: Logger(label: "tenant-isolation", level: .warning))
            try await database.transaction { connection in
                try connection.execute("""
                    INSERT INTO resources (id, class, tenant, host, attributes, last_seen)
                    VALUES ('alpha-db', 'database', 'alpha', $1, '{}', now())
                    """, [secret])
                try connection.execute("""
                    INSERT INTO alert_deliveries (alert_id, tenant, channel, target, payload, state)
                    VALUES ($1, 'alpha', 'webhook', $2, '{}', 'failed')
                    """, [UUID(), "http://127.0.0.1:9/\(secret)"])
            }
            await database.close()
            return AlphaObjects(run: run, hook: hook.id.key, hookSecret: try #require(hook.secret))
        }

        /// Every endpoint that addresses one of A's objects: 404 (or 403, or 401 for the hook,
        /// whose credential is its signature), and nothing of A's in the answer.
        static func refusesEveryEndpoint(_ bravo: TenantClient, _ a: AlphaObjects) async throws {
            let attempts: [(String, String, String, String?)] = [
                ("trigger-service", "GET", "/v1/workflows/ledger-close", nil),
                ("trigger-service", "GET", "/v1/workflows/ledger-close?version=1", nil),
                ("trigger-service", "GET", "/v1/workflows/ledger-close/versions", nil),
                ("trigger-service", "POST", "/v1/workflows/ledger-close/backfill", #"{"from": "2030-01-01", "to": "2031-01-02"}"#),
                ("trigger-service", "POST", "/v1/workflows/ledger-close/webhooks", #"{"name": "steal"}"#),
                ("trigger-service", "POST", "/v1/runs", #"{"workflow": "ledger-close"}"#),
                ("trigger-service", "POST", "/v1/runs/\(a.run)/cancel", nil),
                ("trigger-service", "POST", "/v1/schedules/ledger-close/yearly/pause", nil),
                ("trigger-service", "POST", "/v1/schedules/ledger-close/yearly/resume", nil),
                ("trigger-service", "GET", "/v1/schedules/ledger-close/yearly/fires", nil),
                ("trigger-service", "GET", "/v1/calendars/alpha-holidays", nil),
                ("trigger-service", "DELETE", "/v1/calendars/alpha-holidays", nil),
                ("trigger-service", "DELETE", "/v1/webhooks/\(a.hook)", nil),
                ("trigger-service", "POST", "/v1/hooks/\(a.hook)", #"{"file": "x"}"#),
                ("trigger-service", "GET", "/v1/tenants/alpha", nil),
                ("trigger-service", "POST", "/v1/tenants", #"{"name": "bravo-two"}"#),
                ("trigger-service", "POST", "/v1/tenants/alpha/tokens", #"{"name": "mine", "role": "admin"}"#),
                ("trigger-service", "GET", "/v1/tenants/alpha/tokens", nil),
                ("trigger-service", "DELETE", "/v1/tenants/alpha/tokens/alpha-admin", nil),
                ("dependency-resolver", "GET", "/v1/runs/\(a.run)", nil),
                ("dependency-resolver", "POST", "/v1/runs/\(a.run)/rerun", nil),
                ("dependency-resolver", "POST", "/v1/runs/\(a.run)/pause", nil),
                ("dependency-resolver", "POST", "/v1/runs/\(a.run)/resume", nil),
                ("dependency-resolver", "POST", "/v1/runs/\(a.run)/tasks/close/mark", #"{"state": "succeeded"}"#),
                ("dependency-resolver", "GET", "/v1/runs/\(a.run)/impact?task=close", nil),
                ("notifier", "GET", "/v1/alert-routes", nil),
            ]
            for (service, method, path, body) in attempts {
                let answer = try await bravo.call(method, service, path, body: body)
                let expected: Set<Int> = path.hasPrefix("/v1/hooks/") ? [401] : [403, 404]
                #expect(expected.contains(answer.status), "\(method) \(service)\(path): \(answer)")
                #expect(!answer.text.contains(secret) && !answer.text.contains(a.hookSecret), "\(method) \(path) leaked: \(answer)")
            }
        }

        /// List endpoints answer 200 with B's own objects and none of A's.
        static func listsShowOnlyOwnObjects(_ bravo: TenantClient, _ a: AlphaObjects) async throws {
            let lists: [(String, String, String?)] = [
                ("trigger-service", "/v1/workflows", "b-flow"),
                ("trigger-service", "/v1/schedules", nil),
                ("trigger-service", "/v1/schedules?workflow=ledger-close", nil),
                ("trigger-service", "/v1/calendars", nil),
                ("trigger-service", "/v1/webhooks", nil),
                ("trigger-service", "/v1/tenants", "bravo"),
                ("trigger-service", "/v1/tenants/bravo/tokens", "bravo-admin"),
                ("dependency-resolver", "/v1/runs", nil),
                ("dependency-resolver", "/v1/runs?workflow=ledger-close", nil),
                ("audit-service", "/v1/audit", "b-flow"),
                ("audit-service", "/v1/audit?run=\(a.run)", nil),
                ("cmdb-service", "/v1/resources", "agent-1"),
                ("cmdb-service", "/v1/resources?class=database", nil),
                ("notifier", "/v1/alert-deliveries", nil),
            ]
            let alphaMarks = [secret, a.run, a.hook, "ledger-close", "alpha-holidays", "alpha-db", "alpha-admin", "\"alpha\""]
            for (service, path, own) in lists {
                let answer = try await bravo.call("GET", service, path)
                #expect(answer.status == 200, "GET \(service)\(path): \(answer)")
                for mark in alphaMarks {
                    #expect(!answer.text.contains(mark), "GET \(service)\(path) shows A's \(mark): \(answer)")
                }
                if let own { #expect(answer.text.contains(own), "GET \(service)\(path) shows B's own \(own): \(answer)") }
            }
        }

        /// Names are per tenant: B storing a workflow, calendar or alert route under A's names
        /// creates B's own and leaves A's alone.
        static func sameNamesAreSeparateObjects(_ alpha: TenantClient, _ bravo: TenantClient) async throws {
            let applied = try await bravo.decode(Applied.self, "POST", "trigger-service", "/v1/workflows",
                                                 body: #"{"name": "ledger-close", "tasks": [{"id": "b", "run": "true"}]}"#)
            #expect(applied.version == 1, "B's own workflow of that name, not A's version 2")
            #expect(try await bravo.call("PUT", "trigger-service", "/v1/calendars/alpha-holidays", body: #"{"dates": ["2031-01-01"]}"#).status == 200)
            #expect(try await bravo.call("PUT", "notifier", "/v1/alert-routes", body: #"{"webhookUrl": "http://127.0.0.1:9/bravo"}"#).status == 200)
            #expect(try await alpha.call("GET", "trigger-service", "/v1/workflows/ledger-close").text.contains(secret))
            let calendar = try await alpha.call("GET", "trigger-service", "/v1/calendars/alpha-holidays").text
            #expect(calendar.contains("2030-12-25") && !calendar.contains("2031-01-01"))
            #expect(try await alpha.call("GET", "notifier", "/v1/alert-routes").text.contains(secret))
        }

        /// After all of B's attempts, A's objects are as A left them.
        static func alphaIsUntouched(_ alpha: TenantClient, _ a: AlphaObjects) async throws {
            #expect(try await alpha.call("GET", "dependency-resolver", "/v1/runs/\(a.run)").text.contains("\"state\":\"succeeded\""))
            #expect(try await alpha.call("GET", "trigger-service", "/v1/webhooks").text.contains(a.hook))
            let schedules = try await alpha.call("GET", "trigger-service", "/v1/schedules?workflow=ledger-close").text
            #expect(schedules.contains("\"paused\":false"), "\(schedules)")
            #expect(try await alpha.call("GET", "trigger-service", "/v1/tenants/alpha/tokens").text.contains("alpha-admin"))
            let history = try await alpha.call("GET", "trigger-service", "/v1/workflows/ledger-close/versions").text
            #expect(history.contains("\"version\":1") && !history.contains("\"version\":2"))
        }

        @Test func viewersCannotWriteAndOnlyAdminsManageCredentials() async throws {
            try await Stack.withIsolated(name: "tenant-roles", agents: 0) { stack in
                let admin = try await TenantClient.issue(stack, tenant: "acme", name: "acme-admin", role: "admin", create: false)
                let viewer = try await TenantClient.issue(stack, tenant: "acme", name: "acme-viewer", role: "viewer", create: false)
                let operatorClient = try await TenantClient.issue(stack, tenant: "acme", name: "acme-operator", role: "operator", create: false)
                _ = try await admin.decode(Applied.self, "POST", "trigger-service", "/v1/workflows",
                                           body: #"{"name": "w", "tasks": [{"id": "t", "run": "true"}]}"#)
                let anyRun = UUID().key
                let writes: [(String, String, String, String?)] = [
                    ("trigger-service", "POST", "/v1/workflows", #"{"name": "w2", "tasks": [{"id": "t", "run": "true"}]}"#),
                    ("trigger-service", "POST", "/v1/runs", #"{"workflow": "w"}"#),
                    ("trigger-service", "POST", "/v1/runs/\(anyRun)/cancel", nil),
                    ("trigger-service", "PUT", "/v1/calendars/days", #"{"dates": ["2030-01-01"]}"#),
                    ("trigger-service", "POST", "/v1/workflows/w/webhooks", #"{"name": "h"}"#),
                    ("trigger-service", "POST", "/v1/tenants/acme/tokens", #"{"name": "more", "role": "viewer"}"#),
                    ("dependency-resolver", "POST", "/v1/runs/\(anyRun)/pause", nil),
                    ("notifier", "PUT", "/v1/alert-routes", #"{"webhookUrl": "http://127.0.0.1:9/x"}"#),
                ]
                for (service, method, path, body) in writes {
                    let answer = try await viewer.call(method, service, path, body: body)
                    #expect(answer.status == 403, "viewer \(method) \(path): \(answer)")
                }
                #expect(try await viewer.call("GET", "trigger-service", "/v1/workflows").status == 200, "a viewer reads")
                #expect(try await operatorClient.call("POST", "trigger-service", "/v1/tenants/acme/tokens", body: #"{"name": "x", "role": "viewer"}"#).status == 403)
                #expect(try await operatorClient.call("GET", "trigger-service", "/v1/tenants/acme/tokens").status == 403)
                #expect(try await operatorClient.call("POST", "trigger-service", "/v1/runs", body: #"{"workflow": "w"}"#).status == 202)
            }
        }
    }
}

/// Polls `body` until it returns true or `timeout` passes.
func waitUntil(timeout: Duration = .seconds(20), _ body: () async throws -> Bool) async throws -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if (try? await body()) == true { return true }
        try await Task.sleep(for: .milliseconds(200))
    }
    return false
}
