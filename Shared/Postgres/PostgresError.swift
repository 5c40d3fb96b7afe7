/// Everything the Postgres module throws. Callers branch on `code` (a unique key hit means "already
/// done", a retriable error means "try the transaction again"); `message` is Postgres's or libpq's own
/// text so operators see the real cause.
public struct PostgresError: Error, CustomStringConvertible, Sendable {
    public enum Code: Sendable, Hashable {
        /// Could not connect, or the session broke (server restart, network, admin termination).
        case connection
        /// The server rejected the statement (syntax, constraint other than unique, permissions, ...).
        case query
        /// SQLSTATE 23505: the row already exists — idempotent handlers treat this as "done before".
        case uniqueViolation
        /// SQLSTATE 40001: a serializable transaction lost a race; rerunning it is safe.
        case serializationFailure
        /// SQLSTATE 40P01: Postgres aborted this transaction to break a deadlock; rerunning it is safe.
        case deadlock
        /// A result value could not be read as the requested Swift type (or was NULL / missing).
        case decoding
    }

    public let code: Code
    /// The five-character SQLSTATE when the server sent one; nil for client-side errors.
    public let sqlState: String?
    public let message: String
    /// Postgres's DETAIL line (for a unique violation: which key already exists).
    public let detail: String?
    /// The violated constraint's name, when the server reports one.
    public let constraint: String?
    /// Where in our code the error was raised, for reports that reach a human.
    public let fileID: String
    public let line: Int

    public init(_ code: Code, _ message: String, sqlState: String? = nil, detail: String? = nil,
                constraint: String? = nil, fileID: String = #fileID, line: Int = #line) {
        self.code = code
        self.message = message
        self.sqlState = sqlState
        self.detail = detail
        self.constraint = constraint
        self.fileID = fileID
        self.line = line
    }

    /// True when rerunning the whole transaction may succeed: the session broke, or Postgres aborted
    /// the transaction because of a concurrent one (serialization failure, deadlock).
    public var isRetriable: Bool {
        switch code {
        case .connection, .serializationFailure, .deadlock: true
        case .query, .uniqueViolation, .decoding: false
        }
    }

    public var description: String {
        var text = "postgres \(code)"
        if let sqlState { text += " [\(sqlState)]" }
        text += ": " + message
        if let detail { text += " (\(detail))" }
        return text
    }

    /// Maps a SQLSTATE to our code. Class 08 and the 57P0x shutdown codes mean the session is gone.
    static func code(forSQLState state: String?) -> Code {
        guard let state else { return .query }
        switch state {
        case "23505": return .uniqueViolation
        case "40001": return .serializationFailure
        case "40P01": return .deadlock
        case "57P01", "57P02", "57P03": return .connection
        default: return state.hasPrefix("08") ? .connection : .query
        }
    }
}
