import Foundation
import Runtime

/// The one JSON configuration of the HTTP APIs: UTC ISO-8601 dates via `Timestamp`, slashes not
/// escaped, keys not sorted (sorting costs time on every response; clients must not rely on order).
enum JSONCoding {
    static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(Timestamp.format(date))
        }
        return encoder
    }

    static func decoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let container = try decoder.singleValueContainer()
            let text = try container.decode(String.self)
            guard let date = Timestamp.parse(text) else {
                throw DecodingError.dataCorruptedError(
                    in: container, debugDescription: "expected an ISO-8601 timestamp, got '\(text)'")
            }
            return date
        }
        return decoder
    }

    /// A one-line, client-facing account of a decoding failure: where and what.
    static func describe(_ error: DecodingError) -> String {
        switch error {
        case .keyNotFound(let key, let context):
            return "missing key '\(path(context.codingPath + [key]))'"
        case .valueNotFound(_, let context):
            return "\(location(context))value must not be null"
        case .typeMismatch(let type, let context):
            return "\(location(context))expected \(typeName(type)); \(context.debugDescription)"
        case .dataCorrupted(let context):
            return location(context) + detail(context)
        @unknown default:
            return String(describing: error)
        }
    }

    /// `tasks[1].run` for a coding path.
    static func path(_ codingPath: [any CodingKey]) -> String {
        var text = ""
        for key in codingPath {
            if let index = key.intValue {
                text += "[\(index)]"
            } else {
                text += text.isEmpty ? key.stringValue : "." + key.stringValue
            }
        }
        return text
    }

    /// The first key (as a path) present in `sent` with a non-null value but absent from `known`,
    /// walking objects and arrays that both sides have in the same shape.
    static func firstUnknownKey(sent: Any, known: Any, path: String) -> String? {
        if let sentObject = sent as? [String: Any], let knownObject = known as? [String: Any] {
            for key in sentObject.keys.sorted() {
                guard let value = sentObject[key], !(value is NSNull) else { continue }
                let child = path.isEmpty ? key : path + "." + key
                guard let knownValue = knownObject[key] else { return child }
                if let found = firstUnknownKey(sent: value, known: knownValue, path: child) { return found }
            }
        } else if let sentArray = sent as? [Any], let knownArray = known as? [Any], sentArray.count == knownArray.count {
            for (index, (value, knownValue)) in zip(sentArray, knownArray).enumerated() {
                if let found = firstUnknownKey(sent: value, known: knownValue, path: path + "[\(index)]") { return found }
            }
        }
        return nil
    }

    private static func location(_ context: DecodingError.Context) -> String {
        context.codingPath.isEmpty ? "" : "key '\(path(context.codingPath))': "
    }

    private static func detail(_ context: DecodingError.Context) -> String {
        guard let underlying = context.underlyingError else { return context.debugDescription }
        let reason = (underlying as NSError).userInfo[NSDebugDescriptionErrorKey] as? String
        return context.debugDescription + (reason.map { " (\($0))" } ?? "")
    }

    private static func typeName(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Bool.Type: "true or false"
        case is Int.Type, is Int64.Type, is Int32.Type, is UInt.Type, is UInt64.Type: "an integer"
        case is Double.Type, is Float.Type: "a number"
        case is [Any].Type: "an array"
        case is [String: Any].Type: "an object"
        default: String(describing: type)
        }
    }
}
