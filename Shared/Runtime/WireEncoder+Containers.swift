import Foundation

/// The keyed container of a `WireValueEncoder`: each member is written at the end of the
/// document as it comes; the encoder puts them in key order when it finishes.
struct WireKeyedContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let encoder: WireValueEncoder

    var codingPath: [any CodingKey] { encoder.codingPath }

    private func add(_ key: Key, _ write: (inout [UInt8]) throws -> Void) rethrows {
        let name = key.stringValue
        let start = encoder.beginMember(name)
        try write(&encoder.output.bytes)
        encoder.endMember(name, from: start)
    }

    mutating func encodeNil(forKey key: Key) throws { add(key) { $0.append(contentsOf: WireValueWriter.nullBytes) } }
    mutating func encode(_ value: Bool, forKey key: Key) throws {
        add(key) { $0.append(contentsOf: value ? WireValueWriter.trueBytes : WireValueWriter.falseBytes) }
    }
    mutating func encode(_ value: String, forKey key: Key) throws { add(key) { WireValueWriter.writeString(value, into: &$0) } }
    mutating func encode(_ value: Double, forKey key: Key) throws {
        try add(key) { try WireValueWriter.writeDouble(value, into: &$0, parent: encoder, key: key) }
    }
    mutating func encode(_ value: Float, forKey key: Key) throws {
        try add(key) { try WireValueWriter.writeDouble(Double(value), into: &$0, parent: encoder, key: key) }
    }
    mutating func encode(_ value: Int, forKey key: Key) throws { add(key) { WireValueWriter.writeInteger(value, into: &$0) } }
    mutating func encode(_ value: Int8, forKey key: Key) throws { add(key) { WireValueWriter.writeInteger(value, into: &$0) } }
    mutating func encode(_ value: Int16, forKey key: Key) throws { add(key) { WireValueWriter.writeInteger(value, into: &$0) } }
    mutating func encode(_ value: Int32, forKey key: Key) throws { add(key) { WireValueWriter.writeInteger(value, into: &$0) } }
    mutating func encode(_ value: Int64, forKey key: Key) throws { add(key) { WireValueWriter.writeInteger(value, into: &$0) } }
    mutating func encode(_ value: UInt, forKey key: Key) throws { add(key) { WireValueWriter.writeInteger(value, into: &$0) } }
    mutating func encode(_ value: UInt8, forKey key: Key) throws { add(key) { WireValueWriter.writeInteger(value, into: &$0) } }
    mutating func encode(_ value: UInt16, forKey key: Key) throws { add(key) { WireValueWriter.writeInteger(value, into: &$0) } }
    mutating func encode(_ value: UInt32, forKey key: Key) throws { add(key) { WireValueWriter.writeInteger(value, into: &$0) } }
    mutating func encode(_ value: UInt64, forKey key: Key) throws { add(key) { WireValueWriter.writeInteger(value, into: &$0) } }

    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        let name = key.stringValue
        let start = encoder.beginMember(name)
        try encoder.output.write(value, parent: encoder, key: key)
        encoder.endMember(name, from: start)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
        encoder.pendingMember(key.stringValue, codingKey: key).container(keyedBy: keyType)
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        encoder.pendingMember(key.stringValue, codingKey: key).unkeyedContainer()
    }

    mutating func superEncoder() -> any Encoder { encoder.pendingMember("super", codingKey: WireKey.superKey) }
    mutating func superEncoder(forKey key: Key) -> any Encoder { encoder.pendingMember(key.stringValue, codingKey: key) }
}

/// The unkeyed container of a `WireValueEncoder`: elements written at the end of the document.
struct WireUnkeyedContainer: UnkeyedEncodingContainer {
    let encoder: WireValueEncoder
    private(set) var count = 0

    init(encoder: WireValueEncoder) { self.encoder = encoder }

    var codingPath: [any CodingKey] { encoder.codingPath }

    private mutating func add(_ write: (inout [UInt8]) throws -> Void) rethrows {
        let start = encoder.beginMember(nil)
        try write(&encoder.output.bytes)
        encoder.endMember("", from: start)
        count += 1
    }

    mutating func encodeNil() throws { add { $0.append(contentsOf: WireValueWriter.nullBytes) } }
    mutating func encode(_ value: Bool) throws { add { $0.append(contentsOf: value ? WireValueWriter.trueBytes : WireValueWriter.falseBytes) } }
    mutating func encode(_ value: String) throws { add { WireValueWriter.writeString(value, into: &$0) } }
    mutating func encode(_ value: Double) throws {
        let (encoder, key) = (encoder, WireKey(index: count))
        try add { try WireValueWriter.writeDouble(value, into: &$0, parent: encoder, key: key) }
    }
    mutating func encode(_ value: Float) throws { try encode(Double(value)) }
    mutating func encode(_ value: Int) throws { add { WireValueWriter.writeInteger(value, into: &$0) } }
    mutating func encode(_ value: Int8) throws { add { WireValueWriter.writeInteger(value, into: &$0) } }
    mutating func encode(_ value: Int16) throws { add { WireValueWriter.writeInteger(value, into: &$0) } }
    mutating func encode(_ value: Int32) throws { add { WireValueWriter.writeInteger(value, into: &$0) } }
    mutating func encode(_ value: Int64) throws { add { WireValueWriter.writeInteger(value, into: &$0) } }
    mutating func encode(_ value: UInt) throws { add { WireValueWriter.writeInteger(value, into: &$0) } }
    mutating func encode(_ value: UInt8) throws { add { WireValueWriter.writeInteger(value, into: &$0) } }
    mutating func encode(_ value: UInt16) throws { add { WireValueWriter.writeInteger(value, into: &$0) } }
    mutating func encode(_ value: UInt32) throws { add { WireValueWriter.writeInteger(value, into: &$0) } }
    mutating func encode(_ value: UInt64) throws { add { WireValueWriter.writeInteger(value, into: &$0) } }

    mutating func encode<T: Encodable>(_ value: T) throws {
        let start = encoder.beginMember(nil)
        try encoder.output.write(value, parent: encoder, key: WireKey(index: count))
        encoder.endMember("", from: start)
        count += 1
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        pending().container(keyedBy: keyType)
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer { pending().unkeyedContainer() }
    mutating func superEncoder() -> any Encoder { pending() }

    private mutating func pending() -> WireValueEncoder {
        defer { count += 1 }
        return encoder.pendingMember("", codingKey: WireKey(index: count))
    }
}

/// The single value container of a `WireValueEncoder`: the value is written at the end of the
/// document, where the encoder's value belongs.
struct WireSingleValueContainer: SingleValueEncodingContainer {
    let encoder: WireValueEncoder

    var codingPath: [any CodingKey] { encoder.codingPath }

    private func set(_ write: (inout [UInt8]) throws -> Void) rethrows {
        encoder.wroteSingleValue()
        try write(&encoder.output.bytes)
    }

    mutating func encodeNil() throws { set { $0.append(contentsOf: WireValueWriter.nullBytes) } }
    mutating func encode(_ value: Bool) throws { set { $0.append(contentsOf: value ? WireValueWriter.trueBytes : WireValueWriter.falseBytes) } }
    mutating func encode(_ value: String) throws { set { WireValueWriter.writeString(value, into: &$0) } }
    mutating func encode(_ value: Double) throws { try set { try WireValueWriter.writeDouble(value, into: &$0, parent: encoder.parent, key: encoder.key) } }
    mutating func encode(_ value: Float) throws { try encode(Double(value)) }
    mutating func encode(_ value: Int) throws { set { WireValueWriter.writeInteger(value, into: &$0) } }
    mutating func encode(_ value: Int8) throws { set { WireValueWriter.writeInteger(value, into: &$0) } }
    mutating func encode(_ value: Int16) throws { set { WireValueWriter.writeInteger(value, into: &$0) } }
    mutating func encode(_ value: Int32) throws { set { WireValueWriter.writeInteger(value, into: &$0) } }
    mutating func encode(_ value: Int64) throws { set { WireValueWriter.writeInteger(value, into: &$0) } }
    mutating func encode(_ value: UInt) throws { set { WireValueWriter.writeInteger(value, into: &$0) } }
    mutating func encode(_ value: UInt8) throws { set { WireValueWriter.writeInteger(value, into: &$0) } }
    mutating func encode(_ value: UInt16) throws { set { WireValueWriter.writeInteger(value, into: &$0) } }
    mutating func encode(_ value: UInt32) throws { set { WireValueWriter.writeInteger(value, into: &$0) } }
    mutating func encode(_ value: UInt64) throws { set { WireValueWriter.writeInteger(value, into: &$0) } }

    mutating func encode<T: Encodable>(_ value: T) throws {
        encoder.wroteSingleValue()
        try encoder.output.write(value, parent: encoder.parent, key: encoder.key)
    }
}

/// Keys the encoder and decoder make up: array positions (for error paths) and `super`.
struct WireKey: CodingKey {
    let intValue: Int?
    private let name: String?

    /// Named only when asked: an array's elements each get a key, errors alone read it.
    var stringValue: String { name ?? "Index \(intValue ?? 0)" }

    init(index: Int) {
        intValue = index
        name = nil
    }

    init(stringValue: String) {
        name = stringValue
        intValue = nil
    }

    init(intValue: Int) { self.init(index: intValue) }

    static let superKey = WireKey(stringValue: "super")
}
