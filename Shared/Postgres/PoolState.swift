/// What a borrower receives: an idle connection, or permission to open one.
enum PoolLease<Connection> {
    case connection(Connection)
    case open
}

/// The pool's bookkeeping as a pure state machine: each event returns what the caller must do
/// (hand a connection over, open a new one, wait, fail), so the rules — capacity, FIFO waiting,
/// passing a failed open's slot on, cancellation, close — are unit-tested without I/O.
struct PoolState<Connection, Waiter> {
    typealias Lease = PoolLease<Connection>

    enum BorrowDecision {
        case lease(Lease)
        case wait
        case closed
    }

    enum ReleaseDecision {
        case handOver(Connection, to: Waiter)
        case keptIdle
        case close(Connection)
    }

    let capacity: Int
    private(set) var isClosed = false
    /// Connections alive or being opened; never exceeds `capacity`.
    private(set) var slots = 0
    private var idle: [Connection] = []
    private var waiters = FIFOQueue<(id: UInt64, waiter: Waiter)>()

    init(capacity: Int) { self.capacity = max(1, capacity) }

    var idleCount: Int { idle.count }
    var waiterCount: Int { waiters.count }

    /// A borrow that would not have to wait. Waiters already queued keep their turn (FIFO), so a
    /// newcomer only takes what no one is waiting for.
    mutating func borrowWithoutWaiting() -> BorrowDecision {
        if isClosed { return .closed }
        guard waiters.isEmpty else { return .wait }
        if let connection = idle.popLast() { return .lease(.connection(connection)) }
        if slots < capacity {
            slots += 1
            return .lease(.open)
        }
        return .wait
    }

    /// Like `borrowWithoutWaiting`, but queues `waiter` when it has to wait.
    mutating func borrow(id: UInt64, waiter: Waiter) -> BorrowDecision {
        let decision = borrowWithoutWaiting()
        if case .wait = decision { waiters.push((id, waiter)) }
        return decision
    }

    /// A cancelled borrower leaves the queue; nil when it was already served.
    mutating func cancel(id: UInt64) -> Waiter? {
        waiters.remove { $0.id == id }?.waiter
    }

    mutating func release(_ connection: Connection) -> ReleaseDecision {
        if isClosed {
            slots -= 1
            return .close(connection)
        }
        if let next = waiters.pop() { return .handOver(connection, to: next.waiter) }
        idle.append(connection)
        return .keptIdle
    }

    /// Opening a connection failed: the slot is free again, and the longest waiter (if any) gets
    /// it so it can try to open one itself instead of waiting for a release that may never come.
    mutating func openFailed() -> Waiter? {
        if !isClosed, let next = waiters.pop() { return next.waiter }
        slots -= 1
        return nil
    }

    /// Stops lending. Returns idle connections to close and waiters to fail.
    mutating func close() -> (idle: [Connection], waiters: [Waiter]) {
        isClosed = true
        let closing = idle
        slots -= idle.count
        idle.removeAll()
        return (closing, waiters.drain().map(\.waiter))
    }
}
