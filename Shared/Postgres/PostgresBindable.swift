import Foundation

/// Values bound as text parameters. nil -> SQL NULL.
///
/// Text format keeps the wire simple and lets Postgres infer each parameter's type from the
/// statement (`$1::uuid`, `col = ANY($1)`), so one conformance serves every column type that
/// accepts the same text.
public protocol PostgresBindable {
    var postgresText: String? { get }
}

extension String: PostgresBindable {
    public var postgresText: String? { self }
}

extension Substring: PostgresBindable {
    public var postgresText: String? { String(self) }
}

extension Int: PostgresBindable {
    public var postgresText: String? { String(self) }
}

extension Int32: PostgresBindable {
    public var postgresText: String? { String(self) }
}

extension Int64: PostgresBindable {
    public var postgresText: String? { String(self) }
}

extension Double: PostgresBindable {
    /// Swift prints the shortest text that reads back to the same value, so nothing is lost; the
    /// special values use the spellings Postgres documents.
    public var postgresText: String? {
        if isNaN { return "NaN" }
        if isInfinite { return self < 0 ? "-Infinity" : "Infinity" }
        return String(self)
    }
}

extension Bool: PostgresBindable {
    public var postgresText: String? { self ? "true" : "false" }
}

extension Date: PostgresBindable {
    /// UTC with microseconds, Postgres's own timestamptz precision, so a Date survives a round trip.
    public var postgresText: String? { PostgresTimestamp.format(self) }
}

extension UUID: PostgresBindable {
    public var postgresText: String? { uuidString }
}

extension Data: PostgresBindable {
    /// bytea hex input format.
    public var postgresText: String? { withUnsafeBytes { ByteaHex.encode($0) } }
}

extension Optional: PostgresBindable where Wrapped: PostgresBindable {
    public var postgresText: String? {
        switch self {
        case .some(let value): value.postgresText
        case .none: nil
        }
    }
}
