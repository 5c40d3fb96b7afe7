import ServiceKit
import Synchronization

/// How many attempts run now, against the agent's slot capacity. The dispatch loop polls only
/// for as many messages as there are free slots (backpressure), and wakes when one frees.
final class SlotBoard: Sendable {
    let capacity: Int
    private let attempts = Mutex<Set<String>>([])
    let freed = WakeSignal()

    init(capacity: Int) { self.capacity = capacity }

    var running: Int { attempts.withLock { $0.count } }
    var free: Int { capacity - running }

    /// Claims a slot for `key`; false when that attempt already runs here (a redelivery).
    func claim(_ key: String) -> Bool { attempts.withLock { $0.insert(key).inserted } }

    func release(_ key: String) {
        attempts.withLock { _ = $0.remove(key) }
        freed.notify()
    }
}
