/// An error a handler throws to answer with a specific 4xx/5xx status. The router turns it into
/// that status with a `{"error": message}` body, so handlers report bad input by throwing instead
/// of building error responses by hand.
public struct HTTPError: Error, Sendable, CustomStringConvertible, Equatable {
    public let status: Int
    /// Shown to the client: name the problem, never leak internals.
    public let message: String

    public init(_ status: Int, _ message: String) {
        self.status = status
        self.message = message
    }

    public var description: String { "HTTP \(status): \(message)" }

    public static func badRequest(_ message: String) -> HTTPError { HTTPError(400, message) }
    public static func unauthorized(_ message: String) -> HTTPError { HTTPError(401, message) }
    public static func forbidden(_ message: String) -> HTTPError { HTTPError(403, message) }
    public static func notFound(_ message: String) -> HTTPError { HTTPError(404, message) }
    public static func conflict(_ message: String) -> HTTPError { HTTPError(409, message) }
    public static func payloadTooLarge(_ message: String) -> HTTPError { HTTPError(413, message) }
    /// Validation failures of well-formed input (a DAG cycle, a bad cron expression).
    public static func unprocessable(_ message: String) -> HTTPError { HTTPError(422, message) }
    /// Quota or rate limits; clients should back off and retry.
    public static func tooManyRequests(_ message: String) -> HTTPError { HTTPError(429, message) }
    /// A dependency (Postgres, Kafka) is down; `/readyz` and retriable failures.
    public static func serviceUnavailable(_ message: String) -> HTTPError { HTTPError(503, message) }
}
