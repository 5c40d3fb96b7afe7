import Dispatch
import Runtime

/// One connection plus the serial queue that is the only place it is touched. libpq blocks, so
/// work hops from the caller's task to this queue and back through a continuation; Swift's
/// cooperative threads never wait on the network.
final class ConnectionExecutor: @unchecked Sendable {
    // @unchecked: `connection` is read and written only on `queue`.
    private let queue: DispatchQueue
    private var connection: PostgresConnection?
    private let instruments: PostgresInstruments
    private let logger: Logger

    private init(queue: DispatchQueue, connection: PostgresConnection, instruments: PostgresInstruments, logger: Logger) {
        self.queue = queue
        self.connection = connection
        self.instruments = instruments
        self.logger = logger
    }

    /// Opens a session on a new queue named `label`.
    static func connect(label: String, parameters: ConnectionParameters, instruments: PostgresInstruments,
                        logger: Logger) async throws -> ConnectionExecutor {
        let queue = DispatchQueue(label: label)
        return try await withUnsafeThrowingContinuation { continuation in
            queue.async {
                do {
                    let raw = try LibpqConnection(parameters: parameters, logger: logger)
                    let connection = PostgresConnection(raw: raw, instruments: instruments)
                    continuation.resume(returning: ConnectionExecutor(
                        queue: queue, connection: connection, instruments: instruments, logger: logger))
                } catch {
                    continuation.resume(throwing: error)
                }
            }
        }
    }

    /// Runs `body` on the connection's queue.
    ///
    /// - `pooled` sessions are reconnected first when broken, so a server restart costs at most the
    ///   statements that were in flight, and a transaction `body` leaves open is rolled back so
    ///   the next borrower starts clean.
    /// - Dedicated sessions (`pooled: false`) keep their state between calls — an open transaction
    ///   may span several `run`s — and are never reconnected behind the holder's back: their
    ///   session state (advisory locks, that transaction) died with the session.
    func run<T: Sendable>(pooled: Bool, _ body: @escaping @Sendable (PostgresConnection) throws -> T) async throws -> T {
        try await withUnsafeThrowingContinuation { continuation in
            queue.async { [self] in
                continuation.resume(with: Result { try runHere(pooled: pooled, body) })
            }
        }
    }

    private func runHere<T>(pooled: Bool, _ body: (PostgresConnection) throws -> T) throws -> T {
        guard let connection else { throw PostgresError(.connection, "session is closed") }
        let raw = connection.raw
        guard pooled else {
            if raw.isBroken {
                throw PostgresError(.connection, "dedicated session was lost; session state such as advisory locks is gone")
            }
            return try body(connection)
        }
        raw.noticeIdleClose()
        if raw.isBroken || raw.needsReset {
            instruments.reconnects.increment()
            logger.info("reconnecting broken postgres session")
            try raw.reset()
        }
        defer {
            raw.discardDeferred()
            if raw.isInTransaction && !raw.isBroken { _ = try? raw.executeSimple("ROLLBACK") }
        }
        return try body(connection)
    }

    /// Closes the session on its queue and waits until it is closed.
    ///
    /// `releaseAdvisoryLocks` unlocks session advisory locks with a round trip first: the server
    /// drops a closed session's locks only when its backend notices the disconnect, so without it
    /// a standby asking right after could still find the lock held.
    func close(releaseAdvisoryLocks: Bool = false) async {
        await withUnsafeContinuation { (continuation: UnsafeContinuation<Void, Never>) in
            queue.async { [self] in
                if releaseAdvisoryLocks, let raw = connection?.raw, !raw.isBroken {
                    _ = try? raw.executeSimple("SELECT pg_advisory_unlock_all()")
                }
                connection = nil
                continuation.resume()
            }
        }
    }

    /// Closes the session on its queue without waiting (used when a connection comes back to a
    /// pool that was closed meanwhile).
    func closeEventually() {
        queue.async { [self] in connection = nil }
    }
}
