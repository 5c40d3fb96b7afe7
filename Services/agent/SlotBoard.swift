import Contracts
import ServiceKit
import Synchronization

/// Which attempts run now, against the agent's slot capacity. The dispatch loop polls only for
/// as many messages as there are free slots (backpressure), and wakes when one frees; heartbeats
/// list the attempts, so the dispatcher can stop one it has given to another agent since.
final class SlotBoard: Sendable {
    let capacity: Int
    private let attempts = Mutex<Set<AttemptRef>>([])
    let freed = WakeSignal()

    init(capacity: Int) { self.capacity = capacity }

    var running: Int { attempts.withLock { $0.count } }
    var free: Int { capacity - running }

    /// The attempts holding a slot, in a stable order.
    var current: [AttemptRef] {
        attempts.withLock { Array($0) }.sorted { ($0.runID.key, $0.taskID, $0.attempt) < ($1.runID.key, $1.taskID, $1.attempt) }
    }

    /// Claims a slot for `attempt`; false when that attempt already runs here (a redelivery).
    func claim(_ attempt: AttemptRef) -> Bool { attempts.withLock { $0.insert(attempt).inserted } }

    func release(_ attempt: AttemptRef) {
        attempts.withLock { _ = $0.remove(attempt) }
        freed.notify()
    }
}

extension AttemptRef {
    /// How the attempt is written in the agent's ledger (one line per attempt).
    var ledgerKey: String { "\(runID.key)/\(taskID)/\(attempt)" }
}
