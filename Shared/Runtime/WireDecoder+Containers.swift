import Foundation

/// The decoder one non-primitive value is decoded with: a token of the document and how it was
/// reached (for error paths, built only when an error needs one).
final class WireValueDecoder: Decoder, WirePathNode {
    let source: WireSource
    let index: Int
    let parent: WireValueDecoder?
    let key: (any CodingKey)?

    init(source: WireSource, index: Int, parent: WireValueDecoder?, key: (any CodingKey)?) {
        self.source = source
        self.index = index
        self.parent = parent
        self.key = key
    }

    var reader: WireValueReader { WireValueReader(source: source) }


    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        guard source.document.tokens[index].kind == .object else {
            throw reader.mismatch([String: Any].self, at: index, parent, key)
        }
        return KeyedDecodingContainer(WireKeyedDecodingContainer<Key>(decoder: self))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        guard source.document.tokens[index].kind == .array else { throw reader.mismatch([Any].self, at: index, parent, key) }
        return WireUnkeyedDecodingContainer(decoder: self)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer { WireSingleValueDecodingContainer(decoder: self) }
}

/// An object's members, looked up by key among its tokens.
struct WireKeyedDecodingContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let decoder: WireValueDecoder
    /// Token indexes of the keys, in document order (each value follows its key).
    private let keys: [Int]

    init(decoder: WireValueDecoder) {
        self.decoder = decoder
        let tokens = decoder.source.document.tokens
        let object = tokens[decoder.index]
        var keys: [Int] = []
        keys.reserveCapacity(object.count / 2)
        var index = decoder.index + 1
        while index < object.next {
            keys.append(index)
            index = tokens[index + 1].next
        }
        self.keys = keys
    }

    var codingPath: [any CodingKey] { decoder.codingPath }

    var allKeys: [Key] {
        keys.compactMap { index in keyText(index).flatMap { Key(stringValue: $0) } }
    }

    private func keyText(_ index: Int) -> String? { decoder.reader.stringText(at: index) }

    /// The value token of `key`; of a key given twice the last.
    private func valueIndex(_ key: Key) -> Int? {
        var name = key.stringValue
        let reader = decoder.reader
        return name.withUTF8 { wanted -> Int? in
            for index in keys.reversed() where reader.key(at: index, is: wanted) { return index + 1 }
            return nil
        }
    }

    private func require(_ key: Key) throws -> Int {
        guard let index = valueIndex(key) else {
            throw DecodingError.keyNotFound(key, DecodingError.Context(
                codingPath: codingPath, debugDescription: "No value associated with key \(key.stringValue)."))
        }
        return index
    }

    func contains(_ key: Key) -> Bool { valueIndex(key) != nil }

    func decodeNil(forKey key: Key) throws -> Bool {
        decoder.source.document.tokens[try require(key)].kind == .null
    }

    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { try decoder.reader.bool(at: try require(key), decoder, key) }
    func decode(_ type: String.Type, forKey key: Key) throws -> String { try decoder.reader.string(at: try require(key), decoder, key) }
    func decode(_ type: Double.Type, forKey key: Key) throws -> Double { try decoder.reader.double(at: try require(key), decoder, key) }
    func decode(_ type: Float.Type, forKey key: Key) throws -> Float { Float(try decode(Double.self, forKey: key)) }
    func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try integer(key) }
    func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { try integer(key) }
    func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { try integer(key) }
    func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { try integer(key) }
    func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try integer(key) }
    func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { try integer(key) }
    func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { try integer(key) }
    func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 { try integer(key) }
    func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 { try integer(key) }
    func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { try integer(key) }
    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        try decoder.reader.read(type, at: try require(key), parent: decoder, key: key)
    }

    private func integer<Number: FixedWidthInteger>(_ key: Key) throws -> Number {
        try decoder.reader.integer(Number.self, at: try require(key), decoder, key)
    }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
        try nested(key).container(keyedBy: type)
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer { try nested(key).unkeyedContainer() }
    func superDecoder() throws -> any Decoder {
        guard let superKey = Key(stringValue: "super") else {
            throw DecodingError.dataCorrupted(DecodingError.Context(codingPath: codingPath, debugDescription: "No 'super' key."))
        }
        return try nested(superKey)
    }
    func superDecoder(forKey key: Key) throws -> any Decoder { try nested(key) }

    private func nested(_ key: Key) throws -> WireValueDecoder {
        WireValueDecoder(source: decoder.source, index: try require(key), parent: decoder, key: key)
    }
}

/// An array's elements, read in order.
struct WireUnkeyedDecodingContainer: UnkeyedDecodingContainer {
    let decoder: WireValueDecoder
    private(set) var currentIndex = 0
    /// The token of the next element.
    private var cursor: Int

    init(decoder: WireValueDecoder) {
        self.decoder = decoder
        cursor = decoder.index + 1
    }

    var codingPath: [any CodingKey] { decoder.codingPath }
    var count: Int? { decoder.source.document.tokens[decoder.index].count }
    var isAtEnd: Bool { currentIndex >= (count ?? 0) }

    private var elementKey: WireKey { WireKey(index: currentIndex) }

    /// The next element's token, moving past it.
    private mutating func next(_ type: Any.Type) throws -> (index: Int, key: WireKey) {
        guard !isAtEnd else {
            throw DecodingError.valueNotFound(type, DecodingError.Context(
                codingPath: codingPath + [elementKey], debugDescription: "Unkeyed container is at end."))
        }
        let element = (cursor, elementKey)
        cursor = decoder.source.document.tokens[cursor].next
        currentIndex += 1
        return element
    }

    mutating func decodeNil() throws -> Bool {
        guard !isAtEnd, decoder.source.document.tokens[cursor].kind == .null else { return false }
        _ = try next(Never.self)
        return true
    }

    mutating func decode(_ type: Bool.Type) throws -> Bool {
        let element = try next(type)
        return try decoder.reader.bool(at: element.index, decoder, element.key)
    }
    mutating func decode(_ type: String.Type) throws -> String {
        let element = try next(type)
        return try decoder.reader.string(at: element.index, decoder, element.key)
    }
    mutating func decode(_ type: Double.Type) throws -> Double {
        let element = try next(type)
        return try decoder.reader.double(at: element.index, decoder, element.key)
    }
    mutating func decode(_ type: Float.Type) throws -> Float { Float(try decode(Double.self)) }
    mutating func decode(_ type: Int.Type) throws -> Int { try integer() }
    mutating func decode(_ type: Int8.Type) throws -> Int8 { try integer() }
    mutating func decode(_ type: Int16.Type) throws -> Int16 { try integer() }
    mutating func decode(_ type: Int32.Type) throws -> Int32 { try integer() }
    mutating func decode(_ type: Int64.Type) throws -> Int64 { try integer() }
    mutating func decode(_ type: UInt.Type) throws -> UInt { try integer() }
    mutating func decode(_ type: UInt8.Type) throws -> UInt8 { try integer() }
    mutating func decode(_ type: UInt16.Type) throws -> UInt16 { try integer() }
    mutating func decode(_ type: UInt32.Type) throws -> UInt32 { try integer() }
    mutating func decode(_ type: UInt64.Type) throws -> UInt64 { try integer() }
    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T {
        let element = try next(type)
        return try decoder.reader.read(type, at: element.index, parent: decoder, key: element.key)
    }

    private mutating func integer<Number: FixedWidthInteger>() throws -> Number {
        let element = try next(Number.self)
        return try decoder.reader.integer(Number.self, at: element.index, decoder, element.key)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
        try nestedDecoder().container(keyedBy: type)
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer { try nestedDecoder().unkeyedContainer() }
    mutating func superDecoder() throws -> any Decoder { try nestedDecoder() }

    private mutating func nestedDecoder() throws -> WireValueDecoder {
        let element = try next(Any.self)
        return WireValueDecoder(source: decoder.source, index: element.index, parent: decoder, key: element.key)
    }
}

/// The one value a decoder's token holds.
struct WireSingleValueDecodingContainer: SingleValueDecodingContainer {
    let decoder: WireValueDecoder

    var codingPath: [any CodingKey] { decoder.codingPath }
    private var reader: WireValueReader { decoder.reader }

    func decodeNil() -> Bool { decoder.source.document.tokens[decoder.index].kind == .null }
    func decode(_ type: Bool.Type) throws -> Bool { try reader.bool(at: decoder.index, decoder.parent, decoder.key) }
    func decode(_ type: String.Type) throws -> String { try reader.string(at: decoder.index, decoder.parent, decoder.key) }
    func decode(_ type: Double.Type) throws -> Double { try reader.double(at: decoder.index, decoder.parent, decoder.key) }
    func decode(_ type: Float.Type) throws -> Float { Float(try decode(Double.self)) }
    func decode(_ type: Int.Type) throws -> Int { try integer() }
    func decode(_ type: Int8.Type) throws -> Int8 { try integer() }
    func decode(_ type: Int16.Type) throws -> Int16 { try integer() }
    func decode(_ type: Int32.Type) throws -> Int32 { try integer() }
    func decode(_ type: Int64.Type) throws -> Int64 { try integer() }
    func decode(_ type: UInt.Type) throws -> UInt { try integer() }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try integer() }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try integer() }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try integer() }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try integer() }
    func decode<T: Decodable>(_ type: T.Type) throws -> T { try reader.read(type, at: decoder.index, parent: decoder.parent, key: decoder.key) }

    private func integer<Number: FixedWidthInteger>() throws -> Number {
        try reader.integer(Number.self, at: decoder.index, decoder.parent, decoder.key)
    }
}

/// An encoder or decoder of one value, reached from its parent's by a key: its coding path is
/// built from that chain only when an error asks for it (tracking one per value was part of
/// Foundation's cost).
protocol WirePathNode: AnyObject {
    var parent: Self? { get }
    var key: (any CodingKey)? { get }
}

extension WirePathNode {
    var codingPath: [any CodingKey] {
        var path: [any CodingKey] = []
        var node: Self? = self
        while let current = node {
            if let key = current.key { path.append(key) }
            node = current.parent
        }
        return path.reversed()
    }
}
