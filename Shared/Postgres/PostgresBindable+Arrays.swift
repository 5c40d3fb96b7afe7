import Foundation

/// Element types that bind as a Postgres array literal, for `col = ANY($1)` in place of building
/// `IN (...)` lists by hand.
///
/// Swift allows only one conditional conformance of `Array` to `PostgresBindable`, so the element
/// type decides how a whole array is spelled; that is also how `[UInt8]` binds as `bytea` instead
/// of as an array.
public protocol PostgresArrayElement {
    static func postgresArrayText(_ elements: [Self]) -> String
}

extension Array: PostgresBindable where Element: PostgresArrayElement {
    public var postgresText: String? { Element.postgresArrayText(self) }
}

extension String: PostgresArrayElement {
    /// Every element is double-quoted with `\` and `"` escaped, so commas, braces, spaces and the
    /// word NULL stay ordinary text. Works on UTF-8 bytes (neither byte occurs inside a multi-byte
    /// character), written straight into the new string's storage sized for the worst case (every
    /// byte escaped): the outbox binds every message it writes this way, JSON full of quotes, and
    /// appending byte by byte to an array was 5% of the resolver's CPU (`perf`, item 61).
    public static func postgresArrayText(_ elements: [String]) -> String {
        let (backslash, quote, comma) = (UInt8(ascii: "\\"), UInt8(ascii: "\""), UInt8(ascii: ","))
        let capacity = elements.reduce(2) { $0 + 2 * $1.utf8.count + 3 }
        return String(unsafeUninitializedCapacity: capacity) { buffer in
            var at = 0
            func put(_ byte: UInt8) {
                buffer[at] = byte
                at += 1
            }
            put(UInt8(ascii: "{"))
            for (index, element) in elements.enumerated() {
                if index > 0 { put(comma) }
                put(quote)
                var element = element
                element.withUTF8 { bytes in
                    for byte in bytes {
                        if byte == backslash || byte == quote { put(backslash) }
                        put(byte)
                    }
                }
                put(quote)
            }
            put(UInt8(ascii: "}"))
            return at
        }
    }
}

extension Int64: PostgresArrayElement {
    public static func postgresArrayText(_ elements: [Int64]) -> String { plainArrayText(elements) }
}

extension Int: PostgresArrayElement {
    public static func postgresArrayText(_ elements: [Int]) -> String { plainArrayText(elements) }
}

extension Int32: PostgresArrayElement {
    public static func postgresArrayText(_ elements: [Int32]) -> String { plainArrayText(elements) }
}

extension UUID: PostgresArrayElement {
    public static func postgresArrayText(_ elements: [UUID]) -> String { plainArrayText(elements.map(\.uuidString)) }
}

extension UInt8: PostgresArrayElement {
    /// `[UInt8]` is binary data: it binds as bytea hex (`\x0aff`), not as an array of numbers.
    public static func postgresArrayText(_ elements: [UInt8]) -> String {
        elements.withUnsafeBytes { ByteaHex.encode($0) }
    }
}

/// Elements whose text never needs quoting (numbers, UUIDs).
private func plainArrayText<T: CustomStringConvertible>(_ elements: [T]) -> String {
    "{" + elements.map(\.description).joined(separator: ",") + "}"
}
