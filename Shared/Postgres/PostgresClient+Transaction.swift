/// Isolation for `PostgresClient.transaction(isolation:_:)`.
public enum PostgresIsolationLevel: Sendable {
    case readCommitted, repeatableRead, serializable

    var beginStatement: String {
        switch self {
        case .readCommitted: "BEGIN"
        case .repeatableRead: "BEGIN ISOLATION LEVEL REPEATABLE READ"
        case .serializable: "BEGIN ISOLATION LEVEL SERIALIZABLE"
        }
    }
}

extension PostgresClient {
    /// Times a transaction is rerun after a retriable failure, on top of the first attempt.
    static let transactionRetries = 3

    /// BEGIN; body; COMMIT — ROLLBACK if body throws (rethrown). On a retriable error (serialization failure, deadlock, broken connection) the whole transaction is retried up to 3 times with small jittered backoff.
    ///
    /// Because of the retry, `body` may run more than once: keep side effects outside the
    /// database out of it. A connection lost during COMMIT is ambiguous (it may have committed),
    /// so bodies must be idempotent — which DESIGN §3 requires of every handler anyway.
    @discardableResult
    public func transaction<T: Sendable>(_ body: @escaping @Sendable (PostgresConnection) throws -> T) async throws -> T {
        try await transaction(isolation: .readCommitted, body)
    }

    /// `transaction(_:)` at a chosen isolation level; serializable transactions rely on the retry.
    @discardableResult
    public func transaction<T: Sendable>(isolation: PostgresIsolationLevel,
                                         _ body: @escaping @Sendable (PostgresConnection) throws -> T) async throws -> T {
        var retries = 0
        while true {
            do {
                return try await withConnection { connection in
                    try connection.runTransaction(isolation: isolation, body)
                }
            } catch let error as PostgresError where error.isRetriable && retries < Self.transactionRetries {
                retries += 1
                instruments.transactionRetries.increment()
                logger.debug("retrying postgres transaction", ["error": error.description, "pg.retry": "\(retries)"])
                // Jittered and growing, so transactions that collided do not collide again in step.
                try await Task.sleep(for: .milliseconds(Int.random(in: 1...5) << retries))
            }
        }
    }
}

extension PostgresConnection {
    /// BEGIN travels with the body's first statement and the body's deferred writes with the
    /// COMMIT (see `executeDeferred`): a transaction costs the round trips of the statements
    /// whose answers it reads, plus one.
    func runTransaction<T>(isolation: PostgresIsolationLevel, _ body: (PostgresConnection) throws -> T) throws -> T {
        begin(isolation)
        do {
            let value = try body(self)
            if raw.isInFailedTransaction {
                throw PostgresError(.query, "transaction aborted by an earlier statement error that was caught inside the transaction; rolled back")
            }
            try execute("COMMIT")
            return value
        } catch {
            raw.discardDeferred()
            if raw.isInTransaction && !raw.isBroken { _ = try? raw.executeSimple("ROLLBACK") }
            throw error
        }
    }
}
