import Foundation
import HTTP
import LocalStack

/// Calls the services' HTTP APIs with one credential, for one tenant, and turns every way a call
/// can go wrong into a `CLIError` with a message an operator can act on.
struct APIClient {
    let manifest: StackManifest
    let token: String
    /// Sent as `X-WL-Tenant`; nil leaves it out, so a tenant credential acts for its own tenant.
    let tenant: String?
    private let http = HTTPClient(timeout: .seconds(30))

    init(manifest: StackManifest, token: String, tenant: String?) {
        self.manifest = manifest
        self.token = token
        self.tenant = tenant
    }

    /// The tenant for messages.
    var tenantLabel: String { tenant ?? "(the credential's own)" }

    /// A copy acting for another tenant (for `TENANT/RUN_ID` references).
    func acting(for tenant: String) -> APIClient {
        APIClient(manifest: manifest, token: token, tenant: tenant)
    }

    func endpoint(_ service: String) throws -> String {
        guard let base = manifest.endpoints[service] else {
            throw CLIError("the stack manifest lists no endpoint for \(service)")
        }
        return base
    }

    /// Sends a request; throws for transport failures only, so callers can inspect any status.
    func send(_ method: String, _ service: String, _ path: String, body: [UInt8]? = nil) async throws -> (status: Int, body: [UInt8]) {
        let base = try endpoint(service)
        var headers = ["Authorization": "Bearer \(token)", "Accept": "application/json"]
        if let tenant { headers["X-WL-Tenant"] = tenant }
        if body != nil { headers["Content-Type"] = "application/json" }
        do {
            return try await http.send(method: method, url: base + path, headers: headers, body: body)
        } catch let error as HTTPClientError {
            throw Unreachable(service: service, url: base, detail: error.message)
        }
    }

    /// Sends a request and decodes a 2xx answer as `T`; any other status becomes the API's
    /// `{"error": …}` message.
    func call<T: Decodable>(_ type: T.Type, _ method: String, _ service: String, _ path: String,
                            body: [UInt8]? = nil) async throws -> (status: Int, value: T) {
        let answer = try await send(method, service, path, body: body)
        guard (200..<300).contains(answer.status) else { throw failure(service: service, status: answer.status, body: answer.body) }
        return (answer.status, try Self.decode(type, answer.body, service: service))
    }

    /// Sends a request whose answer carries nothing to read (a 204); any non-2xx status becomes
    /// the API's `{"error": …}` message.
    func perform(_ method: String, _ service: String, _ path: String, body: [UInt8]? = nil) async throws {
        let answer = try await send(method, service, path, body: body)
        guard (200..<300).contains(answer.status) else { throw failure(service: service, status: answer.status, body: answer.body) }
    }

    /// The API's error, with the way out when a platform credential was sent without a tenant.
    private func failure(service: String, status: Int, body: [UInt8]) -> CLIError {
        let error = Self.apiError(service: service, status: status, body: body)
        guard tenant == nil, status == 400, error.message.contains("X-WL-Tenant") else { return error }
        return CLIError(error.message + "; name it with --tenant NAME or WLOADCTL_TENANT")
    }

    /// JSON body for a request.
    static func body<T: Encodable>(_ value: T) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        return Array(try encoder.encode(value))
    }

    static func decode<T: Decodable>(_ type: T.Type, _ body: [UInt8], service: String) throws -> T {
        do {
            return try JSONDecoder().decode(type, from: Data(body))
        } catch {
            throw CLIError("unexpected answer from \(service): \(error)")
        }
    }

    static func apiError(service: String, status: Int, body: [UInt8]) -> CLIError {
        if let error = try? JSONDecoder().decode(APIErrorBody.self, from: Data(body)) {
            return CLIError(error.error)
        }
        let text = String(decoding: body.prefix(300), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return CLIError("\(service) answered HTTP \(status)\(text.isEmpty ? "" : ": \(text)")")
    }
}

/// No HTTP answer at all: the stack is down or the service is restarting.
struct Unreachable: Error, CustomStringConvertible {
    let service: String
    let url: String
    let detail: String

    var description: String {
        "cannot reach \(service) at \(url) (\(reason)); is the stack up? (`make up`, `wloadctl stack status`)"
    }

    /// URLSession's errors print as a nested NSError dump; its localized description is the part
    /// worth showing ("Failed to connect to 127.0.0.1 port 7401 …: Couldn't connect to server").
    private var reason: String {
        let key = "NSLocalizedDescription="
        guard let start = detail.range(of: key)?.upperBound else { return String(detail.prefix(200)) }
        let rest = detail[start...]
        return String(rest.prefix { $0 != "," && $0 != "}" })
    }
}
