import Runtime

/// The way services talk to Postgres: a pool of sessions, each on its own serial queue, lent to
/// closures that run synchronously on that queue.
///
/// Closures run on a connection's queue, not in the caller's task, so they must not await; keep
/// them to statements and in-memory work and return a `Sendable` result.
public final class PostgresClient: Sendable {
    private let pool: ConnectionPool
    private let parameters: Result<ConnectionParameters, PostgresError>
    let instruments: PostgresInstruments
    let logger: Logger
    private let label: String

    /// Creates the pool without connecting; connections open on first use, so a bad connection
    /// string or an unreachable server surfaces as `.connection` from the first call.
    public init(configuration: PostgresConfiguration, logger: Logger) {
        let parameters = Result { () throws(PostgresError) in
            try ConnectionParameters(connectionString: configuration.connectionString,
                                     applicationName: configuration.applicationName)
        }
        let instruments = PostgresInstruments()
        self.parameters = parameters
        self.instruments = instruments
        self.logger = logger
        label = "wloadctl.pg.\(configuration.applicationName)"
        pool = ConnectionPool(size: configuration.poolSize, parameters: parameters, label: label,
                              instruments: instruments, logger: logger)
    }

    /// Borrows a pooled connection (waiting, FIFO, if all are busy) and runs `body` on that connection's thread.
    ///
    /// A broken session is reconnected before it is lent out again; a transaction `body` leaves
    /// open is rolled back when it returns.
    @discardableResult
    public func withConnection<T: Sendable>(_ body: @escaping @Sendable (PostgresConnection) throws -> T) async throws -> T {
        let executor = try await pool.borrow()
        defer { pool.release(executor) }
        return try await executor.run(pooled: true, body)
    }

    /// Holds one dedicated session for the caller's lifetime use (leader election with session-level
    /// advisory locks needs a session that stays put). The session is not pooled and does not count
    /// against `poolSize`; it closes when `body` returns or throws, and its advisory locks are released
    /// before this returns.
    @discardableResult
    public func withDedicatedSession<T: Sendable>(_ body: @escaping @Sendable (PostgresSession) async throws -> T) async throws -> T {
        let executor = try await ConnectionExecutor.connect(
            label: label + ".session", parameters: try parameters.get(), instruments: instruments, logger: logger)
        let session = PostgresSession(executor: executor)
        do {
            let value = try await body(session)
            await executor.close(releaseAdvisoryLocks: true)
            return value
        } catch {
            await executor.close(releaseAdvisoryLocks: true)
            throw error
        }
    }

    /// Stops lending connections: waiting and later borrowers get `.connection`; idle sessions
    /// close now and lent ones when their closure returns.
    public func close() async {
        await pool.close()
    }
}

/// A dedicated session (not from the pool) for session-scoped state like advisory locks.
///
/// State persists between `run` calls: session locks, settings, and an open transaction (BEGIN in
/// one call, COMMIT in a later one, with awaits in between, is fine). If the session breaks, `run`
/// throws `.connection` from then on rather than reconnecting: the locks it held are gone, and the
/// holder must learn that (leader election steps down).
public final class PostgresSession: Sendable {
    private let executor: ConnectionExecutor

    init(executor: ConnectionExecutor) { self.executor = executor }

    @discardableResult
    public func run<T: Sendable>(_ body: @escaping @Sendable (PostgresConnection) throws -> T) async throws -> T {
        try await executor.run(pooled: false, body)
    }
}
