import Foundation
import Runtime

/// A value bound as JSON text for a json/jsonb parameter. Encoding happens in `init`, so a value
/// that cannot be encoded fails where it is built, not halfway through a transaction.
/// Dates are written as UTC ISO-8601 with milliseconds, the project-wide time format
/// (`WireEncoder`; columns are read back with `WireDecoder`, which takes them with or without
/// fractional seconds).
public struct PostgresJSON: PostgresBindable, Sendable {
    public let postgresText: String?

    public init<T: Encodable>(_ value: T) throws(PostgresError) {
        do {
            postgresText = String(decoding: try WireEncoder.encode(value), as: UTF8.self)
        } catch {
            throw PostgresError(.query, "cannot encode \(T.self) as JSON: \(error)")
        }
    }

    /// Already-encoded JSON text, bound as is.
    public init(text: String) { postgresText = text }
}
