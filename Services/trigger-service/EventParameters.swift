import Contracts

/// An event body (webhook request or Kafka message) as run parameters: a JSON object whose
/// top-level fields become parameters; strings as they are, numbers and booleans as text, nested
/// values as compact JSON. Names that cannot be parameters are an error, not silently dropped.
enum EventParameters {
    struct Invalid: Error, CustomStringConvertible {
        let description: String
    }

    static func parse(_ body: [UInt8]) throws(Invalid) -> (document: JSONValue, parameters: [String: String]) {
        if body.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) { return (.object([:]), [:]) }
        let document: JSONValue
        do { document = try WireCoding.decode(JSONValue.self, from: body) } catch {
            throw Invalid(description: "body is not JSON: \(WireCoding.describe(error))")
        }
        guard case .object(let fields) = document else { throw Invalid(description: "body must be a JSON object, not \(document.typeName)") }
        var parameters: [String: String] = [:]
        for (name, value) in fields {
            guard ParameterNames.isValid(name) else { throw Invalid(description: "field '\(name)' cannot be a parameter name (letters, digits, '_')") }
            if let text = value.scalarText {
                parameters[name] = text
            } else if value != .null, let encoded = try? WireCoding.encode(value) {
                parameters[name] = String(decoding: encoded, as: UTF8.self)
            }
        }
        return (document, parameters)
    }

    /// The value at a dotted field path ("order.region") as text, for trigger filters.
    static func value(at path: String, in document: JSONValue) -> String? {
        var current = document
        for part in path.split(separator: ".") {
            guard case .object(let fields) = current, let next = fields[String(part)] else { return nil }
            current = next
        }
        return current.scalarText
    }
}
