import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// What a health check found.
public enum Health: Sendable, Equatable, CustomStringConvertible {
    case healthy
    /// It answered, but not 200 (or, for the broker and Postgres, reported a problem).
    case unhealthy(String)
    case unreachable
    /// Not checked, because the process does not run.
    case unknown

    public var description: String {
        switch self {
        case .healthy: "healthy"
        case .unhealthy(let detail): "unhealthy (\(detail))"
        case .unreachable: "unreachable"
        case .unknown: "-"
        }
    }
}

/// `GET /healthz` on a stack process. LocalStack depends only on Runtime, so this uses URLSession
/// directly rather than the HTTP module's client; a probe needs nothing more.
enum HealthProbe {
    private static let session: URLSession = {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = 2
        configuration.timeoutIntervalForResource = 2
        return URLSession(configuration: configuration)
    }()

    static func check(_ endpoint: String) async -> Health {
        guard let url = URL(string: endpoint + "/healthz") else { return .unreachable }
        do {
            let (_, response) = try await session.data(from: url)
            guard let http = response as? HTTPURLResponse else { return .unreachable }
            return http.statusCode == 200 ? .healthy : .unhealthy("HTTP \(http.statusCode)")
        } catch {
            return .unreachable
        }
    }
}
