import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The tenants a stack starts with. A platform credential may act only for tenants that exist, so
/// `up` creates the ones the configuration lists (the CLI's `default`; the tenants tests use)
/// through trigger-service's API, as an operator would with `wloadctl tenant create`.
extension Stack {
    /// Creates each tenant in `configuration.tenants` that does not exist yet.
    func ensureTenants(token: String, progress: @escaping @Sendable (String) -> Void) async throws {
        guard !configuration.tenants.isEmpty else { return }
        guard let service = configuration.components.first(where: { $0.executable == "trigger-service" }) else {
            throw StackError(.configuration, "cannot create tenants \(configuration.tenants): the stack has no trigger-service")
        }
        for tenant in configuration.tenants {
            let status = try await Self.createTenant(tenant, at: service.endpoint, token: token)
            if status == 201 { progress("tenant \(tenant) created") }
        }
    }

    /// POST /v1/tenants; a 409 (it exists) is as good as a 201.
    private static func createTenant(_ name: String, at endpoint: String, token: String) async throws -> Int {
        guard let url = URL(string: endpoint + "/v1/tenants") else {
            throw StackError(.configuration, "bad trigger-service endpoint \(endpoint)")
        }
        var request = URLRequest(url: url, timeoutInterval: 15)
        request.httpMethod = "POST"
        request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.httpBody = try JSONEncoder().encode(["name": name])
        let (data, response) = try await URLSession.shared.data(for: request)
        let status = (response as? HTTPURLResponse)?.statusCode ?? 0
        guard status == 201 || status == 409 else {
            throw StackError(.configuration, "creating tenant \(name) failed: HTTP \(status) \(String(decoding: data.prefix(300), as: UTF8.self))")
        }
        return status
    }
}
