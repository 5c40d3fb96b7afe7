import Foundation

/// The JSON encoder of messages and batch statements: what `WireCoding.encode` (Contracts) and
/// `PostgresJSON` write with.
///
/// Foundation's `JSONEncoder` was most of the dispatcher's and the resolver's CPU (`perf`: 42% of
/// their samples under `JSONEncoder.encode`, docs/performance.md item 53): it boxes every value
/// in an intermediate tree, casts each one dynamically to look for special types, and tracks a
/// coding path per value. This one writes bytes as `encode(to:)` hands it values, into one
/// buffer for the whole document; when an object is complete, its members are put in key order
/// in place (synthesized `encode(to:)` writes them in declaration order).
///
/// The output is what `WireCoding.encoder()` writes, read the same by every decoder: keys sorted
/// (by their UTF-8 bytes; an equal key encoded twice keeps the last value), slashes not escaped,
/// dates as `Timestamp` text, UUIDs as `uuidString`, `Data` as base64, `URL`s as their absolute
/// string, whole doubles without `.0`. Key order can differ from Foundation's (which compares
/// case-insensitively and numerically) where keys differ in case or digits; the one place that
/// needs Foundation's exact bytes, a workflow definition's digest, uses `WireCoding.canonical`.
public enum WireEncoder {
    public static func encode<T: Encodable>(_ value: T) throws -> [UInt8] {
        let output = WireOutput()
        try output.write(value, parent: nil, key: nil)
        return output.bytes
    }
}

/// The document being written, and the members of the objects and arrays open in it (a stack:
/// a member's value is complete before the next member starts).
final class WireOutput {
    // Written through `inout` on every value: unchecked, as nothing else holds the output
    // while an encode runs on one thread.
    @exclusivity(unchecked) var bytes: [UInt8] = []
    @exclusivity(unchecked) var members: [WireMember] = []

    init() {
        bytes.reserveCapacity(1_024)
        members.reserveCapacity(64)
    }

    /// Writes `value` at the end of the document.
    func write<T: Encodable>(_ value: T, parent: WireValueEncoder?, key: (any CodingKey)?) throws {
        if try WireValueWriter.writePrimitive(value, into: &bytes, parent: parent, key: key) { return }
        try encode(value, parent: parent, key: key)
    }

    /// Writes a non-primitive value through its `encode(to:)`.
    func encode<T: Encodable>(_ value: T, parent: WireValueEncoder?, key: (any CodingKey)?) throws {
        let encoder = WireValueEncoder(output: self, parent: parent, key: key)
        try value.encode(to: encoder)
        try encoder.finish()
    }
}

/// One member of an open object (or element of an open array): where its `"key":value` text
/// is in the document, or the encoder handed out for it (a nested container or a super
/// encoder), which writes into an output of its own until the container is finished.
struct WireMember {
    let key: String
    let start: Int
    let end: Int
    let pending: WireValueEncoder?
}

/// The text of primitives and of Foundation's special types.
public enum WireValueWriter {
    /// Writes `value` if it is a primitive or one of Foundation's special types; false otherwise.
    static func writePrimitive<T: Encodable>(_ value: T, into out: inout [UInt8], parent: WireValueEncoder?, key: (any CodingKey)?) throws -> Bool {
        // Metatype comparisons first: a dynamic cast per value was part of Foundation's cost.
        if T.self == String.self, let text = value as? String { writeString(text, into: &out); return true }
        if T.self == Int.self, let number = value as? Int { writeInteger(number, into: &out); return true }
        if T.self == Bool.self, let flag = value as? Bool { out.append(contentsOf: flag ? trueBytes : falseBytes); return true }
        if T.self == Date.self, let date = value as? Date { writeString(Timestamp.format(date), into: &out); return true }
        if T.self == UUID.self, let id = value as? UUID { writeUUID(id, into: &out); return true }
        if T.self == Double.self, let number = value as? Double { try writeDouble(number, into: &out, parent: parent, key: key); return true }
        if T.self == Data.self, let data = value as? Data { writeString(data.base64EncodedString(), into: &out); return true }
        if T.self == URL.self, let url = value as? URL { writeString(url.absoluteString, into: &out); return true }
        if T.self == RawJSON.self, let raw = value as? RawJSON { out.append(contentsOf: raw.bytes); return true }
        // The collections most messages carry (environments, outputs, details, argv), without
        // the standard library's generic walk through coding keys.
        if T.self == [String: String].self, let dictionary = value as? [String: String] {
            writeStringDictionary(dictionary, into: &out)
            return true
        }
        if T.self == [String].self, let strings = value as? [String] {
            out.append(UInt8(ascii: "["))
            for (index, text) in strings.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                writeString(text, into: &out)
            }
            out.append(UInt8(ascii: "]"))
            return true
        }
        return false
    }

    static func writeStringDictionary(_ dictionary: [String: String], into out: inout [UInt8]) {
        out.append(UInt8(ascii: "{"))
        for (index, entry) in dictionary.sorted(by: { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }).enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            writeString(entry.key, into: &out)
            out.append(UInt8(ascii: ":"))
            writeString(entry.value, into: &out)
        }
        out.append(UInt8(ascii: "}"))
    }

    static let trueBytes = Array("true".utf8)
    static let falseBytes = Array("false".utf8)
    static let nullBytes = Array("null".utf8)
    static let upperHex = Array("0123456789ABCDEF".utf8)
    static let lowerHex = Array("0123456789abcdef".utf8)

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
                    out.append(contentsOf: [UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"), lowerHex[Int(byte >> 4)], lowerHex[Int(byte & 0x0F)]])
                }
            }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[plainFrom..<bytes.count]))
        }
        out.append(UInt8(ascii: "\""))
    }

    /// `uuidString`'s text (upper-case hex, 8-4-4-4-12) in quotes, without its `printf`.
    static func writeUUID(_ id: UUID, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        writeHex(id, digits: upperHex, into: &out)
        out.append(UInt8(ascii: "\""))
    }

    /// A UUID's text in lower case (`UUID.key`), written the same way.
    public static func lowercaseText(_ id: UUID) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(36)
        writeHex(id, digits: lowerHex, into: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    static func writeHex(_ id: UUID, digits: [UInt8], into out: inout [UInt8]) {
        withUnsafeBytes(of: id.uuid) { bytes in
            for (index, byte) in bytes.enumerated() {
                if index == 4 || index == 6 || index == 8 || index == 10 { out.append(UInt8(ascii: "-")) }
                out.append(digits[Int(byte >> 4)])
                out.append(digits[Int(byte & 0x0F)])
            }
        }
    }

    static func writeInteger<Number: BinaryInteger>(_ value: Number, into out: inout [UInt8]) {
        if value < 0 { out.append(UInt8(ascii: "-")) }
        var magnitude = UInt64(value.magnitude)
        let start = out.count
        repeat {
            out.append(UInt8(ascii: "0") + UInt8(magnitude % 10))
            magnitude /= 10
        } while magnitude > 0
        out[start...].reverse()
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


/// The encoder one non-primitive value is encoded with: it opens the object, array or single
/// value that value's `encode(to:)` asks for at the end of the document, and `finish` closes it.
final class WireValueEncoder: Encoder, WirePathNode {
    enum Content {
        case nothing
        case single
        /// The open container: where its bracket is and where its members start on the stack.
        case object(start: Int, firstMember: Int)
        case array(start: Int, firstMember: Int)
        /// `encode(to:)` asked for two kinds of container, or wrote two single values.
        case conflict(String)
    }

    let output: WireOutput
    let parent: WireValueEncoder?
    let key: (any CodingKey)?
    var content = Content.nothing
    /// Whether a member's text is in the document yet (the next one needs a comma).
    private var wroteMember = false

    init(output: WireOutput, parent: WireValueEncoder?, key: (any CodingKey)?) {
        self.output = output
        self.parent = parent
        self.key = key
    }

    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        open(object: true)
        return KeyedEncodingContainer(WireKeyedContainer<Key>(encoder: self))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        open(object: false)
        return WireUnkeyedContainer(encoder: self)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer { WireSingleValueContainer(encoder: self) }

    /// Opens the container on first request; asking again for the same kind gives the same one,
    /// as Foundation does.
    private func open(object: Bool) {
        switch content {
        case .nothing:
            let start = output.bytes.count
            output.bytes.append(UInt8(ascii: object ? "{" : "["))
            content = object ? .object(start: start, firstMember: output.members.count)
                : .array(start: start, firstMember: output.members.count)
        case .object where object, .array where !object, .conflict:
            break
        case .object, .array, .single:
            content = .conflict("asked for a keyed and an unkeyed container, or a container after a single value")
        }
    }

    /// Marks the single value as written; a second one is an error at `finish`.
    func wroteSingleValue() {
        if case .nothing = content { content = .single } else { content = .conflict("wrote more than one value") }
    }

    /// Starts a member: the comma before it, and its key for an object. Returns where it starts.
    func beginMember(_ key: String?) -> Int {
        if wroteMember { output.bytes.append(UInt8(ascii: ",")) }
        wroteMember = true
        let start = output.bytes.count
        if let key {
            WireValueWriter.writeString(key, into: &output.bytes)
            output.bytes.append(UInt8(ascii: ":"))
        }
        return start
    }

    func endMember(_ key: String, from start: Int) {
        output.members.append(WireMember(key: key, start: start, end: output.bytes.count, pending: nil))
    }

    /// An encoder for a nested container or a super encoder: it writes into an output of its own,
    /// put in its place when this container is finished.
    func pendingMember(_ key: String, codingKey: any CodingKey) -> WireValueEncoder {
        let nested = WireValueEncoder(output: WireOutput(), parent: self, key: codingKey)
        output.members.append(WireMember(key: key, start: output.bytes.count, end: output.bytes.count, pending: nested))
        return nested
    }

    /// Closes what `encode(to:)` opened: an object's members in key order (of equal keys the
    /// last), pending members written in their places.
    func finish() throws {
        switch content {
        case .nothing:
            throw EncodingError.invalidValue(String(describing: type(of: self)), EncodingError.Context(
                codingPath: codingPath, debugDescription: "the value encoded nothing"))
        case .conflict(let problem):
            throw EncodingError.invalidValue(String(describing: type(of: self)), EncodingError.Context(
                codingPath: codingPath, debugDescription: "the value \(problem)"))
        case .single:
            return
        case .object(let start, let firstMember):
            try close(start: start, firstMember: firstMember, keyed: true)
            output.bytes.append(UInt8(ascii: "}"))
        case .array(let start, let firstMember):
            try close(start: start, firstMember: firstMember, keyed: false)
            output.bytes.append(UInt8(ascii: "]"))
        }
    }

    /// Leaves the members' text as written when it is already in order (an array's always is)
    /// and nothing is pending; otherwise rewrites it after the bracket from a copy.
    private func close(start: Int, firstMember: Int, keyed: Bool) throws {
        try rewriteIfNeeded(start: start, firstMember: firstMember, keyed: keyed)
        output.members.removeSubrange(firstMember...)
    }

    private func rewriteIfNeeded(start: Int, firstMember: Int, keyed: Bool) throws {
        let members = output.members[firstMember...]
        let inKeyOrder = !keyed || zip(members, members.dropFirst()).allSatisfy { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
        guard !inKeyOrder || members.contains(where: { $0.pending != nil }) else { return }
        var order = Array(members.indices)
        if !inKeyOrder {
            order.sort { left, right in
                let (leftKey, rightKey) = (members[left].key, members[right].key)
                return leftKey == rightKey ? left < right : leftKey.utf8.lexicographicallyPrecedes(rightKey.utf8)
            }
        }
        let base = start + 1
        let text = Array(output.bytes[base...])
        output.bytes.removeSubrange(base...)
        var first = true
        for (position, index) in order.enumerated() {
            let member = members[index]
            if keyed, position + 1 < order.count, members[order[position + 1]].key == member.key { continue }
            if !first { output.bytes.append(UInt8(ascii: ",")) }
            first = false
            guard let pending = member.pending else {
                output.bytes.append(contentsOf: text[(member.start - base)..<(member.end - base)])
                continue
            }
            if keyed {
                WireValueWriter.writeString(member.key, into: &output.bytes)
                output.bytes.append(UInt8(ascii: ":"))
            }
            try pending.finish()
            output.bytes.append(contentsOf: pending.output.bytes)
        }
    }
}
