import Foundation

/// The keyed container of a `WireValueEncoder`: members go into its object's buffer as they come.
struct WireKeyedContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let encoder: WireValueEncoder
    let object: WireObject

    var codingPath: [any CodingKey] { encoder.codingPath }

    private func add(_ key: Key, _ write: (inout [UInt8]) throws -> Void) rethrows {
        let start = object.buffer.count
        try write(&object.buffer)
        object.add(key.stringValue, .bytes(start..<object.buffer.count))
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
        try add(key) { try WireValueWriter.write(value, into: &$0, parent: encoder, key: key) }
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
        pending(key).container(keyedBy: keyType)
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer { pending(key).unkeyedContainer() }
    mutating func superEncoder() -> any Encoder { pending(WireKey.superKey) }
    mutating func superEncoder(forKey key: Key) -> any Encoder { pending(key) }

    private func pending(_ key: any CodingKey) -> WireValueEncoder {
        let nested = WireValueEncoder(parent: encoder, key: key)
        object.add(key.stringValue, .pending(nested))
        return nested
    }
}

/// The unkeyed container of a `WireValueEncoder`: elements go into its array's buffer.
struct WireUnkeyedContainer: UnkeyedEncodingContainer {
    let encoder: WireValueEncoder
    let array: WireArray

    var codingPath: [any CodingKey] { encoder.codingPath }
    var count: Int { array.elements.count }

    private func add(_ write: (inout [UInt8]) throws -> Void) rethrows {
        let start = array.buffer.count
        try write(&array.buffer)
        array.elements.append(.bytes(start..<array.buffer.count))
    }

    private var nextKey: WireKey { WireKey(index: array.elements.count) }

    mutating func encodeNil() throws { add { $0.append(contentsOf: WireValueWriter.nullBytes) } }
    mutating func encode(_ value: Bool) throws { add { $0.append(contentsOf: value ? WireValueWriter.trueBytes : WireValueWriter.falseBytes) } }
    mutating func encode(_ value: String) throws { add { WireValueWriter.writeString(value, into: &$0) } }
    mutating func encode(_ value: Double) throws {
        let key = nextKey
        try add { try WireValueWriter.writeDouble(value, into: &$0, parent: encoder, key: key) }
    }
    mutating func encode(_ value: Float) throws {
        let key = nextKey
        try add { try WireValueWriter.writeDouble(Double(value), into: &$0, parent: encoder, key: key) }
    }
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
        let key = nextKey
        try add { try WireValueWriter.write(value, into: &$0, parent: encoder, key: key) }
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        pending().container(keyedBy: keyType)
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer { pending().unkeyedContainer() }
    mutating func superEncoder() -> any Encoder { pending() }

    private func pending() -> WireValueEncoder {
        let nested = WireValueEncoder(parent: encoder, key: nextKey)
        array.elements.append(.pending(nested))
        return nested
    }
}

/// The single value container of a `WireValueEncoder`: its value becomes the encoder's content.
struct WireSingleValueContainer: SingleValueEncodingContainer {
    let encoder: WireValueEncoder

    var codingPath: [any CodingKey] { encoder.codingPath }

    private func set(_ write: (inout [UInt8]) throws -> Void) rethrows {
        var bytes: [UInt8] = []
        try write(&bytes)
        encoder.content = .single(bytes)
    }

    mutating func encodeNil() throws { set { $0.append(contentsOf: WireValueWriter.nullBytes) } }
    mutating func encode(_ value: Bool) throws { set { $0.append(contentsOf: value ? WireValueWriter.trueBytes : WireValueWriter.falseBytes) } }
    mutating func encode(_ value: String) throws { set { WireValueWriter.writeString(value, into: &$0) } }
    mutating func encode(_ value: Double) throws { try set { try WireValueWriter.writeDouble(value, into: &$0, parent: encoder.parent, key: encoder.key) } }
    mutating func encode(_ value: Float) throws {
        try set { try WireValueWriter.writeDouble(Double(value), into: &$0, parent: encoder.parent, key: encoder.key) }
    }
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
        try set { try WireValueWriter.write(value, into: &$0, parent: encoder.parent, key: encoder.key) }
    }
}

/// Keys the encoder makes up: array positions (for error paths) and `super`.
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
