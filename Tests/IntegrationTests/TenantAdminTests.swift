import Contracts
import Foundation
import LocalStack
import Testing

extension Integration {
    /// Creating tenants, issuing and revoking their credentials, through the API and the CLI.
    @Suite struct TenantAdminTests {
        struct Tenant: Codable {
            let name: String
            let displayName: String?
            let weight: Int
            let createdBy: String?
        }

        @Test func platformAdminCreatesTenantsAndTenantAdminsManageTheirTokens() async throws {
            try await Stack.withIsolated(name: "tenant-admin", agents: 0) { stack in
                let platform = try TenantClient.platform(stack)
                try await Self.createValidation(platform)

                let created = try await platform.decode(Tenant.self, "POST", "trigger-service", "/v1/tenants",
                                                        body: #"{"name": "gamma", "displayName": "Gamma Ltd", "weight": 5}"#)
                #expect(created.name == "gamma" && created.displayName == "Gamma Ltd" && created.weight == 5 && created.createdBy == "bootstrap-admin")
                let again = try await platform.call("POST", "trigger-service", "/v1/tenants", body: #"{"name": "gamma"}"#)
                #expect(again.status == 409, "\(again)")
                struct Tenants: Codable { let tenants: [Tenant] }
                let all = try await platform.decode(Tenants.self, "GET", "trigger-service", "/v1/tenants").tenants.map(\.name)
                #expect(all == ["acme", "gamma", "globex"])
                #expect(try await platform.decode(Tenant.self, "GET", "trigger-service", "/v1/tenants/gamma").weight == 5)
                #expect(try await platform.call("GET", "trigger-service", "/v1/tenants/nosuch").status == 404)

                var unknown = platform
                unknown.tenant = "nosuch"
                let refused = try await unknown.call("GET", "trigger-service", "/v1/workflows")
                #expect(refused.status == 404 && refused.text.contains("unknown tenant"), "\(refused)")
                #expect(try await platform.call("GET", "trigger-service", "/v1/workflows").status == 400, "a platform credential names its tenant")

                let gamma = try await TenantClient.issue(stack, tenant: "gamma", name: "gamma-admin", role: "admin", create: false)
                #expect(try await gamma.decode(Tenants.self, "GET", "trigger-service", "/v1/tenants").tenants.map(\.name) == ["gamma"])
                struct Identity: Codable { let name: String; let tenant: String; let role: String; let platform: Bool }
                let me = try await gamma.decode(Identity.self, "GET", "trigger-service", "/v1/whoami")
                #expect(me.name == "gamma-admin" && me.tenant == "gamma" && me.role == "admin" && !me.platform)
                try await Self.tokenLifecycle(gamma, stack)
                #expect(try await waitUntil {
                    let trail = try await gamma.call("GET", "audit-service", "/v1/audit").text
                    return ["tenant.create", "token.create", "token.revoke"].allSatisfy(trail.contains)
                }, "creating the tenant and issuing and revoking its tokens are audited")
                try Self.cli(stack)
            }
        }

        static func createValidation(_ platform: TenantClient) async throws {
            let bad = [
                #"{"name": ""}"#, #"{"name": "Upper"}"#, #"{"name": "-lead"}"#, #"{"name": "has space"}"#,
                #"{"name": "\#(String(repeating: "a", count: 65))"}"#, #"{"name": "platform"}"#, #"{"name": "*"}"#,
                #"{"name": "ok", "weight": 0}"#, #"{"name": "ok", "weight": 1001}"#, #"{"name": "ok", "displayName": ""}"#,
                #"{"name": "ok", "colour": "red"}"#, #"{"name": 7}"#, "not json",
            ]
            for body in bad {
                let answer = try await platform.call("POST", "trigger-service", "/v1/tenants", body: body)
                #expect(answer.status == 400, "\(body): \(answer)")
            }
            #expect(try await platform.call("GET", "trigger-service", "/v1/tenants/ok").status == 404, "nothing half-created")
        }

        /// Issue, list (names and roles only), refuse duplicates and bad input, revoke: the revoked
        /// token stops working at once where it was revoked and within the cache lifetime elsewhere.
        static func tokenLifecycle(_ gamma: TenantClient, _ stack: Stack) async throws {
            struct Issued: Codable { let name: String; let role: String; let token: String? }
            let issued = try await gamma.decode(Issued.self, "POST", "trigger-service", "/v1/tenants/gamma/tokens",
                                                body: #"{"name": "ci", "role": "operator"}"#)
            let ciToken = try #require(issued.token)
            #expect(issued.role == "operator")
            let duplicate = try await gamma.call("POST", "trigger-service", "/v1/tenants/gamma/tokens", body: #"{"name": "ci", "role": "viewer"}"#)
            #expect(duplicate.status == 409, "\(duplicate)")
            for body in [#"{"name": "x", "role": "root"}"#, #"{"name": "bad name", "role": "viewer"}"#, #"{"name": "x"}"#] {
                #expect(try await gamma.call("POST", "trigger-service", "/v1/tenants/gamma/tokens", body: body).status == 400, "\(body)")
            }
            let listing = try await gamma.call("GET", "trigger-service", "/v1/tenants/gamma/tokens")
            #expect(listing.status == 200 && listing.text.contains("\"ci\"") && listing.text.contains("operator"))
            #expect(!listing.text.contains(ciToken) && !listing.text.contains(ciToken.dropFirst(3).prefix(16)), "never the token or its hash")

            let ci = TenantClient(stack, token: ciToken)
            #expect(try await ci.call("GET", "dependency-resolver", "/v1/runs").status == 200, "dependency-resolver caches the credential")
            #expect(try await gamma.call("DELETE", "trigger-service", "/v1/tenants/gamma/tokens/ci").status == 204)
            #expect(try await ci.call("GET", "trigger-service", "/v1/workflows").status == 401, "refused at once where it was revoked")
            let started = ContinuousClock.now
            let refusedElsewhere = try await waitUntil(timeout: .seconds(10)) {
                try await ci.call("GET", "dependency-resolver", "/v1/runs").status == 401
            }
            #expect(refusedElsewhere && ContinuousClock.now - started < .seconds(7), "refused everywhere within the 5 s cache lifetime")
            #expect(try await gamma.call("DELETE", "trigger-service", "/v1/tenants/gamma/tokens/ci").status == 404)
        }

        /// `wloadctl tenant …`, `token …` and `whoami`, first as the stack's platform admin, then
        /// with an issued tenant credential in `WLOADCTL_TOKEN`, which needs no `--tenant`.
        static func cli(_ stack: Stack) throws {
            let created = try wloadctl(stack, ["tenant", "create", "delta", "--display-name", "Delta Inc", "--weight", "3"])
            #expect(created.contains("tenant delta created (weight 3)"))
            #expect(try wloadctl(stack, ["tenant", "list"]).contains("Delta Inc"))
            #expect(try wloadctl(stack, ["tenant", "show", "delta"]).contains("weight        3"))
            #expect(throws: (any Error).self) { try wloadctl(stack, ["tenant", "create", "delta"]) }
            // The runner merges stderr (the notice) into stdout (the token alone, on its own line).
            let issued = try wloadctl(stack, ["--tenant", "delta", "token", "create", "ops", "--role", "admin"])
            #expect(issued.contains("token ops for tenant delta (role admin); shown only this once"))
            let token = try #require(issued.split(separator: "\n").last { $0.hasPrefix("wl_") }.map(String.init))

            let own = ["WLOADCTL_TOKEN": token]
            #expect(try wloadctl(stack, ["whoami"], environment: own).contains("ops (admin, tenant delta)"))
            _ = try wloadctl(stack, ["token", "create", "reader", "--role", "viewer"], environment: own)
            let tokens = try wloadctl(stack, ["token", "list"], environment: own)
            #expect(tokens.contains("ops") && tokens.contains("reader") && tokens.contains("viewer"))
            #expect(try wloadctl(stack, ["token", "revoke", "reader"], environment: own).contains("token reader of tenant delta revoked"))
            #expect(!(try wloadctl(stack, ["token", "list"], environment: own)).contains("reader"))
            #expect(try wloadctl(stack, ["tenant", "list"], environment: own).contains("delta"))
            #expect(throws: (any Error).self, "a tenant credential cannot create tenants") {
                try wloadctl(stack, ["tenant", "create", "epsilon"], environment: own)
            }
        }

        @discardableResult
        static func wloadctl(_ stack: Stack, _ arguments: [String], environment extra: [String: String] = [:]) throws -> String {
            let binary = stack.configuration.binDirectory.appendingPathComponent("wloadctl").path
            var environment = ProcessInfo.processInfo.environment
            environment["WLOADCTL_HOME"] = stack.configuration.root.path
            environment["WLOADCTL_TENANT"] = nil
            environment.merge(extra) { _, new in new }
            return try ProcessRunner.run([binary] + arguments, environment: environment)
        }
    }
}
