import Foundation
import Runtime

/// The JSON of messages, stored documents and API bodies: ISO-8601 UTC timestamps with
/// milliseconds, so timestamps compare as text and read the same in logs, APIs and the database.
/// `encode`/`decode` go through `WireEncoder`/`WireDecoder`; `encoder()`/`decoder()` are
/// Foundation's coders with the same settings, for `canonical` and as the reference the wire
/// coders' tests compare against.
public enum WireCoding {
    public static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        // Sorted keys make the encoding canonical: equal values give equal bytes in every process
        // (dictionary order is seeded per process), which definition digests rely on.
        encoder.outputFormatting = [.withoutEscapingSlashes, .sortedKeys]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(Timestamp.format(date))
        }
        return encoder
    }

    public static func decoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let container = try decoder.singleValueContainer()
            let text = try container.decode(String.self)
            guard let date = Timestamp.parse(text) else {
                throw DecodingError.dataCorruptedError(in: container, debugDescription: "expected an ISO-8601 timestamp, got '\(text)'")
            }
            return date
        }
        return decoder
    }

    /// Messages, batch statements' rows and stored documents (`WireEncoder`).
    public static func encode<T: Encodable>(_ value: T) throws -> [UInt8] {
        try WireEncoder.encode(value)
    }

    /// Foundation's bytes for `value`, for digests that must not change when the encoder does:
    /// a workflow definition's `definition_sha256` (a new digest would make re-applying an
    /// unchanged definition a new version).
    public static func canonical<T: Encodable>(_ value: T) throws -> [UInt8] {
        Array(try encoder().encode(value))
    }

    /// Messages and stored documents (`WireDecoder`).
    public static func decode<T: Decodable>(_ type: T.Type, from bytes: [UInt8]) throws -> T {
        try WireDecoder.decode(type, from: bytes)
    }

    /// A readable one-line description of a decoding failure: the path and what was wrong.
    public static func describe(_ error: any Error) -> String {
        guard let error = error as? DecodingError else { return "\(error)" }
        func path(_ codingPath: [any CodingKey]) -> String {
            let text = codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
            return text.hasPrefix(".") ? String(text.dropFirst()) : text
        }
        switch error {
        case .dataCorrupted(let context):
            let underlying = (context.underlyingError as NSError?)?.userInfo[NSDebugDescriptionErrorKey] as? String
            let place = context.codingPath.isEmpty ? "" : " at '\(path(context.codingPath))'"
            return "malformed JSON\(place): \(underlying ?? context.debugDescription)"
        case .keyNotFound(let key, let context):
            let parent = path(context.codingPath)
            return "missing field '\(parent.isEmpty ? "" : parent + ".")\(key.stringValue)'"
        case .typeMismatch(let type, let context), .valueNotFound(let type, let context):
            return "field '\(path(context.codingPath))' must be \(type): \(context.debugDescription)"
        @unknown default:
            return "\(error)"
        }
    }
}
