import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Small outgoing HTTP helper on URLSession, for webhooks, SMS gateways, the CLI and tests.
/// Non-2xx answers are returned, not thrown: callers decide what a status means.
public struct HTTPClient: Sendable {
    private let session: SessionBox
    public let timeout: Duration

    /// `timeout` bounds the whole exchange (connect, send, wait, receive).
    public init(timeout: Duration = .seconds(10)) {
        self.timeout = timeout
        self.session = SessionBox(timeout: timeout)
    }

    /// Sends one request. Throws `HTTPClientError` for a malformed URL or when no answer arrives
    /// (connection refused, timeout, reset).
    public func send(method: String, url: String, headers: [String: String] = [:],
                     body: [UInt8]? = nil) async throws -> (status: Int, body: [UInt8]) {
        guard let target = URL(string: url), let scheme = target.scheme?.lowercased(),
              scheme == "http" || scheme == "https" else {
            throw HTTPClientError(url: url, message: "not an http(s) URL")
        }
        var request = URLRequest(url: target, timeoutInterval: session.seconds)
        request.httpMethod = method
        for (name, value) in headers {
            request.setValue(value, forHTTPHeaderField: name)
        }
        if let body { request.httpBody = Data(body) }
        let data: Data
        let response: URLResponse
        do {
            (data, response) = try await session.session.data(for: request)
        } catch {
            throw HTTPClientError(url: url, message: String(describing: error))
        }
        guard let http = response as? HTTPURLResponse else {
            throw HTTPClientError(url: url, message: "the answer was not HTTP")
        }
        return (http.statusCode, Array(data))
    }

    /// JSON convenience for tests and the CLI: encodes `value` (UTC ISO-8601 dates) as the body.
    public func send<T: Encodable>(method: String, url: String, json value: T,
                                   headers: [String: String] = [:]) async throws -> (status: Int, body: [UInt8]) {
        let body = try JSONCoding.encoder().encode(value)
        var headers = headers
        headers["Content-Type"] = HTTPResponse.jsonContentType
        return try await send(method: method, url: url, headers: headers, body: Array(body))
    }

    /// Decodes a JSON answer body with the APIs' conventions (UTC ISO-8601 dates).
    public static func decode<T: Decodable>(_ type: T.Type, from body: [UInt8]) throws -> T {
        try JSONCoding.decoder().decode(T.self, from: Data(body))
    }
}

/// No HTTP answer was received for a request.
public struct HTTPClientError: Error, Sendable, CustomStringConvertible {
    public let url: String
    public let message: String

    public var description: String { "HTTP request to \(url) failed: \(message)" }
}

/// Owns the URLSession so it is invalidated when the last copy of the client goes away.
private final class SessionBox: Sendable {
    let session: URLSession
    let seconds: TimeInterval

    init(timeout: Duration) {
        seconds = Double(timeout.components.seconds) + Double(timeout.components.attoseconds) / 1e18
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = seconds
        configuration.timeoutIntervalForResource = seconds
        configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
        session = URLSession(configuration: configuration)
    }

    deinit {
        session.finishTasksAndInvalidate()
    }
}
