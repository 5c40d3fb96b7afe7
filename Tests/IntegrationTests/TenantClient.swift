import Contracts
import Foundation
import HTTP
import LocalStack

/// Calls a test stack's APIs with one credential (a tenant token, or the platform token), sending
/// `X-WL-Tenant` only when told to: what a tenant's own client does, unlike `StackAPI`, which always
/// acts as the platform admin.
struct TenantClient: Sendable {
    let stack: Stack
    let token: String
    /// Sent as `X-WL-Tenant` when set.
    var tenant: String?
    private let client = HTTPClient(timeout: .seconds(15))

    init(_ stack: Stack, token: String, tenant: String? = nil) {
        self.stack = stack
        self.token = token
        self.tenant = tenant
    }

    /// A platform-admin client for `tenant` (nil: no header, for the tenant administration routes).
    static func platform(_ stack: Stack, tenant: String? = nil) throws -> TenantClient {
        TenantClient(stack, token: try stack.adminToken(), tenant: tenant)
    }

    struct Answer: Sendable, CustomStringConvertible {
        let status: Int
        let text: String
        var description: String { "\(status) \(text)" }
    }

    func call(_ method: String, _ service: String, _ path: String, body: String? = nil) async throws -> Answer {
        var headers = ["Authorization": "Bearer \(token)"]
        if let tenant { headers["X-WL-Tenant"] = tenant }
        if body != nil { headers["Content-Type"] = "application/json" }
        let response = try await client.send(method: method, url: try stack.endpoint(service) + path, headers: headers,
                                              body: body.map { Array($0.utf8) })
        return Answer(status: response.status, text: String(decoding: response.body, as: UTF8.self))
    }

    /// Decodes a 2xx answer; anything else throws with the status and body.
    func decode<T: Decodable>(_ type: T.Type, _ method: String, _ service: String, _ path: String, body: String? = nil) async throws -> T {
        let answer = try await call(method, service, path, body: body)
        guard (200..<300).contains(answer.status) else {
            throw StackAPI.APIError(description: "\(method) \(path) -> \(answer)")
        }
        return try WireCoding.decode(type, from: Array(answer.text.utf8))
    }

    struct Issued: Codable, Sendable {
        let name: String
        let tenant: String
        let role: String
        let token: String?
    }

    /// Creates `tenant` and issues it a token with `role`, as the platform admin.
    static func issue(_ stack: Stack, tenant: String, name: String, role: String, create: Bool = true) async throws -> TenantClient {
        let admin = try platform(stack)
        if create {
            let created = try await admin.call("POST", "trigger-service", "/v1/tenants", body: "{\"name\": \"\(tenant)\"}")
            guard created.status == 201 || created.status == 409 else { throw StackAPI.APIError(description: "create \(tenant): \(created)") }
        }
        let issued = try await admin.decode(Issued.self, "POST", "trigger-service", "/v1/tenants/\(tenant)/tokens",
                                            body: "{\"name\": \"\(name)\", \"role\": \"\(role)\"}")
        guard let token = issued.token else { throw StackAPI.APIError(description: "token \(name) issued without its value") }
        return TenantClient(stack, token: token)
    }
}
