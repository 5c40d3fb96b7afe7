import Foundation
import Runtime

/// One row of a result. Values arrive as Postgres's text output; each accessor converts the
/// named column and throws `.decoding` with the column, the expected type and the offending
/// text when it cannot, so a schema/code mismatch is obvious from the message alone.
public struct PostgresRow: Sendable {
    let result: PostgresResult
    let row: Int

    public func string(_ column: String) throws(PostgresError) -> String {
        try required(column, "String", optionalString(column))
    }

    public func optionalString(_ column: String) throws(PostgresError) -> String? {
        try decode(column, "String") { String(decoding: $0, as: UTF8.self) }
    }

    public func int(_ column: String) throws(PostgresError) -> Int {
        try required(column, "Int", optionalInt(column))
    }

    public func optionalInt(_ column: String) throws(PostgresError) -> Int? {
        try decode(column, "Int") { TextNumber.int64($0).flatMap { Int(exactly: $0) } }
    }

    public func int64(_ column: String) throws(PostgresError) -> Int64 {
        try required(column, "Int64", optionalInt64(column))
    }

    public func optionalInt64(_ column: String) throws(PostgresError) -> Int64? {
        try decode(column, "Int64") { TextNumber.int64($0) }
    }

    public func double(_ column: String) throws(PostgresError) -> Double {
        try required(column, "Double", optionalDouble(column))
    }

    public func optionalDouble(_ column: String) throws(PostgresError) -> Double? {
        try decode(column, "Double") { TextNumber.double($0) }
    }

    /// Accepts Postgres's `t`/`f` (and `true`/`false`, for booleans computed as text).
    public func bool(_ column: String) throws(PostgresError) -> Bool {
        try required(column, "Bool", optionalBool(column))
    }

    public func optionalBool(_ column: String) throws(PostgresError) -> Bool? {
        try decode(column, "Bool") { TextNumber.bool($0) }
    }

    /// timestamptz/timestamp/date text as printed with DateStyle ISO and TimeZone UTC (which every
    /// connection of this module sets). `infinity`/`-infinity` read as `Date.distantFuture`/`.distantPast`.
    public func date(_ column: String) throws(PostgresError) -> Date {
        try required(column, "Date", optionalDate(column))
    }

    public func optionalDate(_ column: String) throws(PostgresError) -> Date? {
        try decode(column, "Date (timestamptz)") { PostgresTimestamp.parse($0) }
    }

    public func uuid(_ column: String) throws(PostgresError) -> UUID {
        try required(column, "UUID", optionalUUID(column))
    }

    public func optionalUUID(_ column: String) throws(PostgresError) -> UUID? {
        try decode(column, "UUID") { TextUUID.parse($0) }
    }

    /// bytea in hex output format (set on every connection).
    public func bytes(_ column: String) throws(PostgresError) -> [UInt8] {
        try required(column, "[UInt8] (bytea)", optionalBytes(column))
    }

    public func optionalBytes(_ column: String) throws(PostgresError) -> [UInt8]? {
        try decode(column, "[UInt8] (bytea)") { ByteaHex.decode($0) }
    }

    /// Decodes a json/jsonb column. Dates inside are read as ISO-8601 strings (see `PostgresJSON`).
    public func json<T: Decodable>(_ column: String, as type: T.Type) throws(PostgresError) -> T {
        try required(column, "JSON \(T.self)", optionalJSON(column, as: type))
    }

    public func optionalJSON<T: Decodable>(_ column: String, as type: T.Type) throws(PostgresError) -> T? {
        let index = try columnIndex(column)
        if result.isNull(row: row, column: index) { return nil }
        let bytes = result.withValue(row: row, column: index) { Array($0) }
        do {
            return try WireDecoder.decode(T.self, from: bytes)
        } catch {
            throw PostgresError(.decoding, "column \"\(column)\" holds JSON that does not decode as \(T.self): \(error)")
        }
    }

    /// True when the column is SQL NULL.
    public func isNull(_ column: String) throws(PostgresError) -> Bool {
        result.isNull(row: row, column: try columnIndex(column))
    }

    // MARK: - Helpers

    private func columnIndex(_ column: String) throws(PostgresError) -> Int {
        guard let index = result.columnIndex[column] else {
            throw PostgresError(.decoding, "no column \"\(column)\" in result (columns: \(result.columnNames.joined(separator: ", ")))")
        }
        return index
    }

    /// nil for SQL NULL; throws when `parse` rejects the text.
    private func decode<T>(_ column: String, _ typeName: String, _ parse: (UnsafeBufferPointer<UInt8>) -> T?) throws(PostgresError) -> T? {
        let index = try columnIndex(column)
        if result.isNull(row: row, column: index) { return nil }
        return try result.withValue(row: row, column: index) { (text) throws(PostgresError) -> T in
            guard let value = parse(text) else {
                let shown = String(decoding: text.prefix(80), as: UTF8.self) + (text.count > 80 ? "…" : "")
                throw PostgresError(.decoding, "column \"\(column)\" holds \"\(shown)\", which is not a valid \(typeName)")
            }
            return value
        }
    }

    private func required<T>(_ column: String, _ typeName: String, _ value: T?) throws(PostgresError) -> T {
        guard let value else {
            throw PostgresError(.decoding, "column \"\(column)\" is NULL, expected \(typeName)")
        }
        return value
    }
}
