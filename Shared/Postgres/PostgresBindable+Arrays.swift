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
    /// word NULL stay ordinary text.
    public static func postgresArrayText(_ elements: [String]) -> String {
        var out = "{"
        out.reserveCapacity(elements.reduce(2) { $0 + $1.utf8.count + 3 })
        for (index, element) in elements.enumerated() {
            if index > 0 { out += "," }
            out += "\""
            for character in element.unicodeScalars {
                if character == "\\" || character == "\"" { out.unicodeScalars.append("\\") }
                out.unicodeScalars.append(character)
            }
            out += "\""
        }
        return out + "}"
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
