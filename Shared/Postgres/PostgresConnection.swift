/// One session. Used synchronously, only inside PostgresClient closures, on the connection's own
/// thread: every call blocks that thread (never a Swift concurrency thread) until the server answers.
public final class PostgresConnection {
    let raw: LibpqConnection
    private let instruments: PostgresInstruments

    init(raw: LibpqConnection, instruments: PostgresInstruments) {
        self.raw = raw
        self.instruments = instruments
    }

    /// Runs one statement with `$1, $2, ...` parameters bound as text and returns its rows.
    @discardableResult
    public func query(_ sql: String, _ parameters: [any PostgresBindable] = []) throws(PostgresError) -> PostgresRows {
        let start = ContinuousClock.now
        defer { instruments.querySeconds.observe(since: start) }
        return PostgresRows(try raw.execute(sql, parameters))
    }

    /// Runs several statements in one round trip (after any deferred ones; libpq pipeline mode)
    /// and returns each one's rows, in order: for reads and writes whose answers are all needed
    /// but none depends on another's. The server runs them in order, as separate calls would
    /// (outside a transaction, as one implicit transaction); the first error is thrown.
    public func queries(_ statements: [(sql: String, parameters: [any PostgresBindable])]) throws(PostgresError) -> [PostgresRows] {
        let start = ContinuousClock.now
        defer { instruments.querySeconds.observe(since: start) }
        return try raw.executeAll(statements.map { LibpqConnection.Statement(sql: $0.sql, parameters: $0.parameters) }).map(PostgresRows.init)
    }

    /// Returns affected row count.
    @discardableResult
    public func execute(_ sql: String, _ parameters: [any PostgresBindable] = []) throws(PostgresError) -> Int {
        let start = ContinuousClock.now
        defer { instruments.querySeconds.observe(since: start) }
        return try raw.execute(sql, parameters).affectedRows
    }

    /// Opens a transaction block; the BEGIN goes to the server with the next statement (one round
    /// trip fewer). For code that drives BEGIN and COMMIT itself; `transaction` does this.
    public func begin(_ isolation: PostgresIsolationLevel = .readCommitted) {
        raw.executeDeferred(isolation.beginStatement, [])
    }

    /// Runs a statement whose result is not needed without waiting for it: it goes to the server
    /// in one round trip with the next statement that needs an answer, or with the COMMIT
    /// (libpq pipeline mode), and the server runs them in order. Its error, if any, is thrown by
    /// that later call, and aborts the transaction as it would have at once. Inside a
    /// transaction only; outside one the statement runs at once.
    public func executeDeferred(_ sql: String, _ parameters: [any PostgresBindable] = []) throws(PostgresError) {
        guard raw.isInTransaction || raw.hasDeferred else {
            try execute(sql, parameters)
            return
        }
        raw.executeDeferred(sql, parameters)
    }

    /// Runs several statements without parameters (PQexec), for migrations. Inside a
    /// `transaction` the script must not contain its own BEGIN/COMMIT.
    public func executeScript(_ sql: String) throws(PostgresError) {
        let start = ContinuousClock.now
        defer { instruments.querySeconds.observe(since: start) }
        _ = try raw.executeSimple(sql)
    }

    /// True while a transaction is open on this session (including one aborted by an error).
    public var isInTransaction: Bool { raw.isInTransaction }
}
