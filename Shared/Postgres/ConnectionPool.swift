import Runtime
import Synchronization

/// Lends connections to tasks. Borrowing never blocks a thread: a borrower that must wait parks
/// its continuation in `PoolState`'s FIFO, and a release resumes the longest waiter directly.
/// Connections open lazily, up to the configured size.
final class ConnectionPool: Sendable {
    typealias Lease = PoolLease<ConnectionExecutor>
    typealias Waiter = UnsafeContinuation<Lease, any Error>

    private let state: Mutex<PoolState<ConnectionExecutor, Waiter>>
    private let nextWaiterID = Atomic<UInt64>(0)
    private let nextConnectionNumber = Atomic<Int>(0)
    private let parameters: Result<ConnectionParameters, PostgresError>
    private let label: String
    private let instruments: PostgresInstruments
    private let logger: Logger

    init(size: Int, parameters: Result<ConnectionParameters, PostgresError>, label: String,
         instruments: PostgresInstruments, logger: Logger) {
        state = Mutex(PoolState(capacity: size))
        self.parameters = parameters
        self.label = label
        self.instruments = instruments
        self.logger = logger
    }

    /// Waits (FIFO) for a connection; the caller must `release` it exactly once.
    func borrow() async throws -> ConnectionExecutor {
        let executor: ConnectionExecutor
        switch try await lease() {
        case .connection(let idle):
            executor = idle
        case .open:
            do {
                executor = try await open()
            } catch {
                if let next = state.withLock({ $0.openFailed() }) { next.resume(returning: .open) }
                throw error
            }
        }
        instruments.connectionsInUse.add(1)
        return executor
    }

    func release(_ executor: ConnectionExecutor) {
        instruments.connectionsInUse.add(-1)
        switch state.withLock({ $0.release(executor) }) {
        case .handOver(let connection, to: let waiter): waiter.resume(returning: .connection(connection))
        case .keptIdle: break
        case .close(let connection): connection.closeEventually()
        }
    }

    /// Fails current and future borrowers and closes idle connections; lent ones close on release.
    func close() async {
        let (idle, waiters) = state.withLock { $0.close() }
        for waiter in waiters { waiter.resume(throwing: Self.closedError) }
        for executor in idle { await executor.close() }
    }

    // MARK: - Internals

    private static var closedError: PostgresError { PostgresError(.connection, "postgres client is closed") }

    private func lease() async throws -> Lease {
        switch state.withLock({ $0.borrowWithoutWaiting() }) {
        case .lease(let lease): return lease
        case .closed: throw Self.closedError
        case .wait: break
        }
        let start = ContinuousClock.now
        defer { instruments.poolWaitSeconds.observe(since: start) }
        let id = nextWaiterID.add(1, ordering: .relaxed).newValue
        return try await withTaskCancellationHandler {
            try await withUnsafeThrowingContinuation { (waiter: Waiter) in
                // Checked under the lock so a cancellation that raced ahead of queueing is not lost:
                // either the handler runs after we queue (and removes us) or we see the flag here.
                let decision: PoolState<ConnectionExecutor, Waiter>.BorrowDecision? = state.withLock { state in
                    Task.isCancelled ? nil : state.borrow(id: id, waiter: waiter)
                }
                switch decision {
                case nil: waiter.resume(throwing: CancellationError())
                case .lease(let lease): waiter.resume(returning: lease)
                case .closed: waiter.resume(throwing: Self.closedError)
                case .wait: break
                }
            }
        } onCancel: {
            state.withLock { $0.cancel(id: id) }?.resume(throwing: CancellationError())
        }
    }

    private func open() async throws -> ConnectionExecutor {
        let number = nextConnectionNumber.add(1, ordering: .relaxed).newValue
        let executor = try await ConnectionExecutor.connect(
            label: "\(label).\(number)", parameters: try parameters.get(), instruments: instruments, logger: logger)
        logger.debug("opened pooled postgres connection", ["pg.connection": "\(number)"])
        return executor
    }
}
