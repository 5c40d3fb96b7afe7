import Foundation
import Runtime

/// A value bound as JSON text for a json/jsonb parameter. Encoding happens in `init`, so a value
/// that cannot be encoded fails where it is built, not halfway through a transaction.
/// Dates are written as UTC ISO-8601 with milliseconds, the project-wide time format.
public struct PostgresJSON: PostgresBindable, Sendable {
    public let postgresText: String?

    public init<T: Encodable>(_ value: T) throws(PostgresError) {
        do {
            let data = try Self.encoder.encode(value)
            postgresText = String(decoding: data, as: UTF8.self)
        } catch {
            throw PostgresError(.query, "cannot encode \(T.self) as JSON: \(error)")
        }
    }

    /// Already-encoded JSON text, bound as is.
    public init(text: String) { postgresText = text }

    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(Timestamp.format(date))
        }
        return encoder
    }()

    /// Reads ISO-8601 dates with or without fractional seconds.
    static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let container = try decoder.singleValueContainer()
            let text = try container.decode(String.self)
            guard let date = Timestamp.parse(text) else {
                throw DecodingError.dataCorruptedError(in: container, debugDescription: "not an ISO-8601 timestamp: \(text)")
            }
            return date
        }
        return decoder
    }()
}
