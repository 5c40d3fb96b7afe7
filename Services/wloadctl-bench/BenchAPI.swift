import Foundation
import HTTP

/// The platform's public HTTP API as the benchmark uses it: what a user would call to set up
/// tenants' workflows, limits and runs. Every failure names the call and the API's answer.
struct BenchAPI: Sendable {
    let trigger: String
    let dispatcher: String
    let token: String
    private let http = HTTPClient(timeout: .seconds(120))

    init(trigger: String, dispatcher: String, token: String) {
        self.trigger = trigger
        self.dispatcher = dispatcher
        self.token = token
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    struct StartedRun: Decodable {
        let id: UUID
    }

    func applyWorkflow(tenant: String, definition: [UInt8]) async throws {
        _ = try await call("POST", trigger + "/v1/workflows", tenant: tenant, body: definition)
    }

    /// Starts a run and returns its id.
    func startRun(tenant: String, workflow: String) async throws -> UUID {
        let body = try await call("POST", trigger + "/v1/runs", tenant: tenant, body: Array("{\"workflow\":\"\(workflow)\"}".utf8))
        do { return try JSONDecoder().decode(StartedRun.self, from: Data(body)).id } catch {
            throw Failure(description: "POST /v1/runs answered without a run id: \(String(decoding: body, as: UTF8.self))")
        }
    }

    /// Sets the platform-wide throttle (see `BenchStack.globalThrottle`).
    func setGlobalThrottle(_ body: String) async throws {
        _ = try await call("PUT", dispatcher + "/v1/throttles/global", tenant: nil, body: Array(body.utf8))
    }

    private func call(_ method: String, _ url: String, tenant: String?, body: [UInt8]) async throws -> [UInt8] {
        var headers = ["Authorization": "Bearer \(token)", "Content-Type": "application/json"]
        if let tenant { headers["X-WL-Tenant"] = tenant }
        let answer = try await http.send(method: method, url: url, headers: headers, body: body)
        guard (200..<300).contains(answer.status) else {
            throw Failure(description: "\(method) \(url) for \(tenant ?? "the platform") answered \(answer.status): "
                + String(decoding: answer.body.prefix(500), as: UTF8.self))
        }
        return answer.body
    }
}
