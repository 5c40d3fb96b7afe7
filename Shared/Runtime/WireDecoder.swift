import Foundation

/// The JSON decoder of messages and JSON columns: what `WireCoding.decode` (Contracts) and
/// `PostgresRow.json` read with.
///
/// Foundation's `JSONDecoder` was, after the encoder (`WireEncoder`), the largest cost left in
/// the dispatcher and the resolver (`perf`: 29% of their samples, docs/performance.md item 53).
/// This one parses the text once into a flat token list (`WireDocument`) and hands values
/// straight from it to `init(from:)`: strings and numbers are read from the bytes only when a
/// field asks for them, fields a type does not read are skipped whole, and UUIDs are read
/// without `sscanf`.
///
/// It reads what Foundation's decoder with `WireCoding.decoder()`'s settings reads, and fails
/// where it fails, with the same kinds of `DecodingError` (so `WireCoding.describe` words them
/// the same): dates as `Timestamp` text, UUIDs in either case, whole numbers written with a
/// fraction or exponent accepted for integers when exact. Of a key given twice the last wins.
/// It is stricter than Foundation in one way: only JSON (RFC 8259) is read, so a trailing
/// comma, a leading zero or a raw control character inside a string (all of which Foundation
/// lets through) make a request body or message malformed.
public enum WireDecoder {
    public static func decode<T: Decodable>(_ type: T.Type, from bytes: [UInt8]) throws -> T {
        try WireParsed(bytes).decode(type)
    }
}

/// A JSON text parsed once, to decode more than one type from: a consumer reads a message's
/// envelope header to route it, then the whole message, from one parse.
public struct WireParsed: Sendable {
    let source: WireSource

    /// Throws `DecodingError.dataCorrupted` when the text is not JSON.
    public init(_ bytes: [UInt8]) throws {
        do { source = WireSource(try WireDocument(bytes)) } catch {
            throw DecodingError.dataCorrupted(DecodingError.Context(codingPath: [], debugDescription: "\(error)", underlyingError: error))
        }
    }

    public func decode<T: Decodable>(_ type: T.Type) throws -> T {
        try WireValueReader(source: source).read(type, at: 0, parent: nil, key: nil)
    }
}

/// The parsed document, shared by reference by every decoder and container of its decodes.
final class WireSource: Sendable {
    let document: WireDocument
    init(_ document: WireDocument) { self.document = document }
}

/// Reads one value of a type: primitives and Foundation's special types straight from their
/// token, anything else through its `init(from:)` with a `WireValueDecoder`.
struct WireValueReader {
    let source: WireSource

    var tokens: [WireDocument.Token] { source.document.tokens }

    func read<T: Decodable>(_ type: T.Type, at index: Int, parent: WireValueDecoder?, key: (any CodingKey)?) throws -> T {
        // Metatype comparisons: cheap, and a failed dynamic cast per field is not.
        if T.self == String.self, let value = try string(at: index, parent, key) as? T { return value }
        if T.self == Int.self, let value = try integer(Int.self, at: index, parent, key) as? T { return value }
        if T.self == Bool.self, let value = try bool(at: index, parent, key) as? T { return value }
        if T.self == Date.self, let value = try date(at: index, parent, key) as? T { return value }
        if T.self == UUID.self, let value = try uuid(at: index, parent, key) as? T { return value }
        if T.self == Double.self, let value = try double(at: index, parent, key) as? T { return value }
        if T.self == Data.self, let value = try data(at: index, parent, key) as? T { return value }
        if T.self == URL.self, let value = try url(at: index, parent, key) as? T { return value }
        if T.self == RawJSON.self, let value = raw(at: index) as? T { return value }
        // The collections most messages carry (environments, outputs, details, argv), without
        // the standard library's generic walk through coding keys.
        if T.self == [String: String].self, let value = stringDictionary(at: index) as? T { return value }
        if T.self == [String].self, let value = stringArray(at: index) as? T { return value }
        return try T(from: WireValueDecoder(source: source, index: index, parent: parent, key: key))
    }

    // MARK: primitives

    /// The value's text as it stands in the document; a string's with its quotes.
    func raw(at index: Int) -> RawJSON {
        let token = tokens[index]
        let quoted = token.kind == .string || token.kind == .escapedString
        let range = quoted ? (token.start - 1)..<(token.end + 1) : token.start..<token.end
        return RawJSON(trusted: Array(source.document.bytes[range]))
    }

    func string(at index: Int, _ parent: WireValueDecoder?, _ key: (any CodingKey)?) throws -> String {
        let token = tokens[index]
        guard token.kind == .string || token.kind == .escapedString else { throw mismatch(String.self, at: index, parent, key) }
        guard let text = stringText(at: index) else {
            throw corrupted("Invalid escape sequence in the string \(source.document.text(token)).", parent, key)
        }
        return text
    }

    /// Nil when the value is anything else, for the generic path to say what is wrong and
    /// where. Of a key given twice the last value, as `Dictionary(from:)` with this decoder keeps.
    func stringDictionary(at index: Int) -> [String: String]? {
        let object = tokens[index]
        guard object.kind == .object else { return nil }
        var dictionary: [String: String] = [:]
        dictionary.reserveCapacity(object.count / 2)
        var member = index + 1
        while member < object.next {
            guard let name = stringText(at: member), let value = stringText(at: member + 1) else { return nil }
            dictionary[name] = value
            member = tokens[member + 1].next
        }
        return dictionary
    }

    /// Nil when the value is anything else, for the generic path to say what is wrong and where.
    func stringArray(at index: Int) -> [String]? {
        let array = tokens[index]
        guard array.kind == .array else { return nil }
        var strings: [String] = []
        strings.reserveCapacity(array.count)
        var element = index + 1
        while element < array.next {
            guard let text = stringText(at: element) else { return nil }
            strings.append(text)
            element = tokens[element].next
        }
        return strings
    }

    /// A string token's text (a key's too); nil for any other token or a bad escape.
    func stringText(at index: Int) -> String? {
        let token = tokens[index]
        switch token.kind {
        case .string: return source.document.text(token)
        case .escapedString: return Self.unescape(source.document.bytes[token.start..<token.end])
        default: return nil
        }
    }

    /// Whether the key token at `index` names `wanted` (UTF-8): compared in place unless the
    /// key has escapes.
    func key(at index: Int, is wanted: UnsafeBufferPointer<UInt8>) -> Bool {
        let token = tokens[index]
        if token.kind == .string {
            return token.end - token.start == wanted.count && source.document.bytes[token.start..<token.end].elementsEqual(wanted)
        }
        return stringText(at: index).map { $0.utf8.elementsEqual(wanted) } ?? false
    }

    func bool(at index: Int, _ parent: WireValueDecoder?, _ key: (any CodingKey)?) throws -> Bool {
        switch tokens[index].kind {
        case .true: return true
        case .false: return false
        default: throw mismatch(Bool.self, at: index, parent, key)
        }
    }

    func double(at index: Int, _ parent: WireValueDecoder?, _ key: (any CodingKey)?) throws -> Double {
        let token = tokens[index]
        guard token.kind == .number else { throw mismatch(Double.self, at: index, parent, key) }
        guard let value = Double(source.document.text(token)) else {
            throw corrupted("Parsed JSON number <\(source.document.text(token))> does not fit in Double.", parent, key)
        }
        return value
    }

    /// Digits read directly; a number with a fraction or exponent only when it is a whole one.
    func integer<Number: FixedWidthInteger>(_ type: Number.Type, at index: Int, _ parent: WireValueDecoder?, _ key: (any CodingKey)?) throws -> Number {
        let token = tokens[index]
        guard token.kind == .number else { throw mismatch(Number.self, at: index, parent, key) }
        let bytes = source.document.bytes
        let negative = bytes[token.start] == UInt8(ascii: "-")
        var value: Number = 0
        var plain = true
        for byte in bytes[(negative ? token.start + 1 : token.start)..<token.end] {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else {
                plain = false
                break
            }
            let (times, overflowTimes) = value.multipliedReportingOverflow(by: 10)
            let digit = Number(byte - UInt8(ascii: "0"))
            let (next, overflowNext) = negative ? times.subtractingReportingOverflow(digit) : times.addingReportingOverflow(digit)
            guard !overflowTimes, !overflowNext else {
                throw corrupted("Parsed JSON number <\(source.document.text(token))> does not fit in \(Number.self).", parent, key)
            }
            value = next
        }
        if plain { return value }
        let text = source.document.text(token)
        guard let double = Double(text), double == double.rounded(), let exact = Number(exactly: double) else {
            throw corrupted("Parsed JSON number <\(text)> does not fit in \(Number.self).", parent, key)
        }
        return exact
    }

    func date(at index: Int, _ parent: WireValueDecoder?, _ key: (any CodingKey)?) throws -> Date {
        let text = try string(at: index, parent, key)
        guard let date = Timestamp.parse(text) else { throw corrupted("expected an ISO-8601 timestamp, got '\(text)'", parent, key) }
        return date
    }

    func uuid(at index: Int, _ parent: WireValueDecoder?, _ key: (any CodingKey)?) throws -> UUID {
        let token = tokens[index]
        if token.kind == .string, let id = Self.parseUUID(source.document.bytes[token.start..<token.end]) { return id }
        let text = try string(at: index, parent, key)
        guard let id = UUID(uuidString: text) else { throw corrupted("Attempted to decode UUID from invalid UUID string.", parent, key) }
        return id
    }

    func data(at index: Int, _ parent: WireValueDecoder?, _ key: (any CodingKey)?) throws -> Data {
        guard let data = Data(base64Encoded: try string(at: index, parent, key)) else {
            throw corrupted("Encountered Data is not valid Base64.", parent, key)
        }
        return data
    }

    func url(at index: Int, _ parent: WireValueDecoder?, _ key: (any CodingKey)?) throws -> URL {
        guard let url = URL(string: try string(at: index, parent, key)) else { throw corrupted("Invalid URL string.", parent, key) }
        return url
    }

    /// `8-4-4-4-12` hex digits of either case, as `UUID(uuidString:)` reads them.
    static func parseUUID(_ text: ArraySlice<UInt8>) -> UUID? {
        guard text.count == 36 else { return nil }
        var bytes = [UInt8](repeating: 0, count: 16)
        var output = 0
        var high: UInt8?
        for (offset, character) in text.enumerated() {
            if offset == 8 || offset == 13 || offset == 18 || offset == 23 {
                guard character == UInt8(ascii: "-") else { return nil }
                continue
            }
            let nibble: UInt8
            switch character {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): nibble = character - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): nibble = character - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): nibble = character - UInt8(ascii: "A") + 10
            default: return nil
            }
            if let first = high {
                bytes[output] = first << 4 | nibble
                output += 1
                high = nil
            } else {
                high = nibble
            }
        }
        return UUID(uuid: (bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7],
                           bytes[8], bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]))
    }

    static func unescape(_ raw: ArraySlice<UInt8>) -> String? {
        var out: [UInt8] = []
        out.reserveCapacity(raw.count)
        var index = raw.startIndex
        func hex4(_ at: Int) -> UInt32? {
            guard at + 4 <= raw.endIndex else { return nil }
            var value: UInt32 = 0
            for character in raw[at..<(at + 4)] {
                guard let digit = Character(Unicode.Scalar(character)).hexDigitValue else { return nil }
                value = value << 4 | UInt32(digit)
            }
            return value
        }
        while index < raw.endIndex {
            let byte = raw[index]
            guard byte == UInt8(ascii: "\\") else {
                out.append(byte)
                index += 1
                continue
            }
            guard index + 1 < raw.endIndex else { return nil }
            let escape = raw[index + 1]
            index += 2
            switch escape {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(escape)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                guard var code = hex4(index) else { return nil }
                index += 4
                if (0xD800..<0xDC00).contains(code) {
                    guard index + 1 < raw.endIndex, raw[index] == UInt8(ascii: "\\"), raw[index + 1] == UInt8(ascii: "u"),
                          let low = hex4(index + 2), (0xDC00..<0xE000).contains(low) else { return nil }
                    index += 6
                    code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                }
                guard let scalar = Unicode.Scalar(code) else { return nil }
                out.append(contentsOf: String(Character(scalar)).utf8)
            default: return nil
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    // MARK: errors

    func path(_ parent: WireValueDecoder?, _ key: (any CodingKey)?) -> [any CodingKey] {
        (parent?.codingPath ?? []) + (key.map { [$0] } ?? [])
    }

    func mismatch(_ type: Any.Type, at index: Int, _ parent: WireValueDecoder?, _ key: (any CodingKey)?) -> DecodingError {
        let found = tokens[index].kind
        let context = DecodingError.Context(codingPath: path(parent, key),
                                            debugDescription: found == .null ? "Cannot get \(type) -- found null value instead"
                                                : "Expected to decode \(type) but found \(found.description) instead.")
        return found == .null ? .valueNotFound(type, context) : .typeMismatch(type, context)
    }

    func corrupted(_ description: String, _ parent: WireValueDecoder?, _ key: (any CodingKey)?) -> DecodingError {
        .dataCorrupted(DecodingError.Context(codingPath: path(parent, key), debugDescription: description))
    }
}

extension WireDocument.Kind {
    var description: String {
        switch self {
        case .null: "null"
        case .true, .false: "bool"
        case .number: "number"
        case .string, .escapedString: "a string"
        case .object: "a dictionary"
        case .array: "an array"
        }
    }
}
