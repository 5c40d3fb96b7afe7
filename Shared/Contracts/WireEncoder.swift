import Foundation
import Runtime

/// The JSON encoder of messages and batch statements: what `WireCoding.encode` writes with.
///
/// Foundation's `JSONEncoder` was most of the dispatcher's and the resolver's CPU (`perf`: 42% of
/// their samples under `JSONEncoder.encode`, docs/performance.md item 53): it boxes every value
/// in an intermediate tree, casts each one dynamically to look for special types, and tracks a
/// coding path per value. This one writes bytes as `encode(to:)` hands it values: an object's
/// members go into one buffer in the order they come, and only when the object is complete are
/// they written out sorted by key.
///
/// The output is what `WireCoding.encoder()` writes, read the same by every decoder: keys sorted
/// (by their UTF-8 bytes; an equal key encoded twice keeps the last value), slashes not escaped,
/// dates as `Timestamp` text, UUIDs as `uuidString`, `Data` as base64, `URL`s as their absolute
/// string, whole doubles without `.0`. Key order can differ from Foundation's (which compares
/// case-insensitively and numerically) where keys differ in case or digits; the one place that
/// needs Foundation's exact bytes, a workflow definition's digest, uses `WireCoding.canonical`.
public enum WireEncoder {
    public static func encode<T: Encodable>(_ value: T) throws -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(512)
        try WireValueWriter.write(value, into: &out, parent: nil, key: nil)
        return out
    }
}

/// Writes one value: primitives and Foundation's special types directly, anything else through
/// its `encode(to:)` into a `WireValueEncoder`.
enum WireValueWriter {
    static func write<T: Encodable>(_ value: T, into out: inout [UInt8], parent: WireValueEncoder?, key: (any CodingKey)?) throws {
        // Metatype comparisons first: a dynamic cast per value was part of Foundation's cost.
        if T.self == String.self, let text = value as? String { return writeString(text, into: &out) }
        if T.self == Int.self, let number = value as? Int { return writeInteger(number, into: &out) }
        if T.self == Bool.self, let flag = value as? Bool { return out.append(contentsOf: flag ? trueBytes : falseBytes) }
        if T.self == Date.self, let date = value as? Date { return writeString(Timestamp.format(date), into: &out) }
        if T.self == UUID.self, let id = value as? UUID { return writeUUID(id, into: &out) }
        if T.self == Double.self, let number = value as? Double { return try writeDouble(number, into: &out, parent: parent, key: key) }
        if T.self == Data.self, let data = value as? Data { return writeString(data.base64EncodedString(), into: &out) }
        if T.self == URL.self, let url = value as? URL { return writeString(url.absoluteString, into: &out) }
        let encoder = WireValueEncoder(parent: parent, key: key)
        try value.encode(to: encoder)
        try encoder.finish(into: &out)
    }

    static let trueBytes = Array("true".utf8)
    static let falseBytes = Array("false".utf8)
    static let nullBytes = Array("null".utf8)
    static let upperHex = Array("0123456789ABCDEF".utf8)

    /// JSON string syntax: quotes, backslashes and control characters escaped, everything else
    /// (slashes, non-ASCII text) as it is in UTF-8.
    static func writeString(_ text: String, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        var text = text
        text.withUTF8 { bytes in
            var plainFrom = 0
            for index in 0..<bytes.count {
                let byte = bytes[index]
                guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else { continue }
                out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[plainFrom..<index]))
                plainFrom = index + 1
                out.append(UInt8(ascii: "\\"))
                switch byte {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"): out.append(byte)
                case UInt8(ascii: "\n"): out.append(UInt8(ascii: "n"))
                case UInt8(ascii: "\r"): out.append(UInt8(ascii: "r"))
                case UInt8(ascii: "\t"): out.append(UInt8(ascii: "t"))
                case 0x08: out.append(UInt8(ascii: "b"))
                case 0x0C: out.append(UInt8(ascii: "f"))
                default:
                    let hex = Array("0123456789abcdef".utf8)
                    out.append(contentsOf: [UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"), hex[Int(byte >> 4)], hex[Int(byte & 0x0F)]])
                }
            }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[plainFrom..<bytes.count]))
        }
        out.append(UInt8(ascii: "\""))
    }

    /// `uuidString`'s text (upper-case hex, 8-4-4-4-12) without its `printf`.
    static func writeUUID(_ id: UUID, into out: inout [UInt8]) {
        let hex = upperHex
        out.append(UInt8(ascii: "\""))
        withUnsafeBytes(of: id.uuid) { bytes in
            for (index, byte) in bytes.enumerated() {
                if index == 4 || index == 6 || index == 8 || index == 10 { out.append(UInt8(ascii: "-")) }
                out.append(hex[Int(byte >> 4)])
                out.append(hex[Int(byte & 0x0F)])
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    static func writeInteger<Number: BinaryInteger>(_ value: Number, into out: inout [UInt8]) {
        if value == 0 { return out.append(UInt8(ascii: "0")) }
        var digits: (UInt64, Bool) = value < 0 ? (UInt64(value.magnitude), true) : (UInt64(value), false)
        var reversed: [UInt8] = []
        reversed.reserveCapacity(20)
        while digits.0 > 0 {
            reversed.append(UInt8(ascii: "0") + UInt8(digits.0 % 10))
            digits.0 /= 10
        }
        if digits.1 { out.append(UInt8(ascii: "-")) }
        out.append(contentsOf: reversed.reversed())
    }

    /// Shortest round-tripping text, without a trailing `.0`; infinities and NaN are not JSON.
    static func writeDouble(_ value: Double, into out: inout [UInt8], parent: WireValueEncoder?, key: (any CodingKey)?) throws {
        guard value.isFinite else {
            let path = (parent?.codingPath ?? []) + (key.map { [$0] } ?? [])
            throw EncodingError.invalidValue(value, EncodingError.Context(codingPath: path, debugDescription: "\(value) is not representable in JSON"))
        }
        var text = value.description
        if text.hasSuffix(".0") { text.removeLast(2) }
        out.append(contentsOf: text.utf8)
    }
}

/// The encoder one non-primitive value is encoded with: it holds the object, array or single
/// value that value's `encode(to:)` builds, until `finish` writes it out.
final class WireValueEncoder: Encoder {
    enum Content {
        case nothing
        case single([UInt8])
        case object(WireObject)
        case array(WireArray)
    }

    let parent: WireValueEncoder?
    let key: (any CodingKey)?
    var content = Content.nothing

    init(parent: WireValueEncoder?, key: (any CodingKey)?) {
        self.parent = parent
        self.key = key
    }

    /// Built on demand: only errors read it.
    var codingPath: [any CodingKey] {
        var path: [any CodingKey] = []
        var node: WireValueEncoder? = self
        while let current = node {
            if let key = current.key { path.append(key) }
            node = current.parent
        }
        return path.reversed()
    }

    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        KeyedEncodingContainer(WireKeyedContainer<Key>(encoder: self, object: object()))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        WireUnkeyedContainer(encoder: self, array: array())
    }

    func singleValueContainer() -> any SingleValueEncodingContainer {
        WireSingleValueContainer(encoder: self)
    }

    /// The object this encoder builds; asking again gives the same one, as Foundation does.
    func object() -> WireObject {
        if case .object(let object) = content { return object }
        let object = WireObject()
        content = .object(object)
        return object
    }

    func array() -> WireArray {
        if case .array(let array) = content { return array }
        let array = WireArray()
        content = .array(array)
        return array
    }

    func finish(into out: inout [UInt8]) throws {
        switch content {
        case .nothing:
            throw EncodingError.invalidValue(String(describing: type(of: self)), EncodingError.Context(
                codingPath: codingPath, debugDescription: "the value encoded nothing"))
        case .single(let bytes): out.append(contentsOf: bytes)
        case .object(let object): try object.finish(into: &out)
        case .array(let array): try array.finish(into: &out)
        }
    }
}

/// One member's value: bytes in its container's buffer, or an encoder handed out for a nested
/// container or a super encoder, written when the container is finished.
enum WireMember {
    case bytes(Range<Int>)
    case pending(WireValueEncoder)

    func write(from buffer: [UInt8], into out: inout [UInt8]) throws {
        switch self {
        case .bytes(let range): out.append(contentsOf: buffer[range])
        case .pending(let encoder): try encoder.finish(into: &out)
        }
    }
}

/// An object under construction: members in the order they were encoded.
final class WireObject {
    var buffer: [UInt8] = []
    var keys: [String] = []
    var members: [WireMember] = []

    func add(_ key: String, _ member: WireMember) {
        keys.append(key)
        members.append(member)
    }

    /// Writes the members sorted by key; of equal keys the last encoded wins.
    func finish(into out: inout [UInt8]) throws {
        var order = Array(keys.indices)
        let sorted = zip(keys, keys.dropFirst()).allSatisfy { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        if !sorted {
            order.sort { left, right in
                keys[left] == keys[right] ? left < right : keys[left].utf8.lexicographicallyPrecedes(keys[right].utf8)
            }
        }
        out.append(UInt8(ascii: "{"))
        var first = true
        for (position, index) in order.enumerated() {
            if position + 1 < order.count, keys[order[position + 1]] == keys[index] { continue }
            if !first { out.append(UInt8(ascii: ",")) }
            first = false
            WireValueWriter.writeString(keys[index], into: &out)
            out.append(UInt8(ascii: ":"))
            try members[index].write(from: buffer, into: &out)
        }
        out.append(UInt8(ascii: "}"))
    }
}

/// An array under construction.
final class WireArray {
    var buffer: [UInt8] = []
    var elements: [WireMember] = []

    func finish(into out: inout [UInt8]) throws {
        out.append(UInt8(ascii: "["))
        for (index, element) in elements.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            try element.write(from: buffer, into: &out)
        }
        out.append(UInt8(ascii: "]"))
    }
}
