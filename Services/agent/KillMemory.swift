import Contracts
import Foundation

/// Kill commands, kept for a while after they arrive. A kill travels on its own topic and can
/// overtake the dispatch it is about (or reach this agent while the attempt runs elsewhere and
/// is then re-dispatched here); a dispatch that matches a remembered kill is not started.
/// Bounded in time and in count, oldest first: kills are rare, and one older than `lifetime`
/// is about a dispatch that has long been delivered.
struct KillMemory {
    private struct Entry {
        let attempt: Int?
        let reason: String
        let issuedAt: Date
    }

    let lifetime: Duration
    let capacity: Int
    private var entries: [String: [Entry]] = [:]
    /// Insertion order with expiry, consumed from `head`.
    private var order: [(key: String, expires: ContinuousClock.Instant)] = []
    private var head = 0

    init(lifetime: Duration = .seconds(600), capacity: Int = 10_000) {
        self.lifetime = lifetime
        self.capacity = capacity
    }

    var count: Int { order.count - head }

    mutating func remember(_ kill: TaskKill, issuedAt: Date, now: ContinuousClock.Instant = .now) {
        let key = Self.key(kill.runID, kill.taskID)
        entries[key, default: []].append(Entry(attempt: kill.attempt, reason: kill.reason, issuedAt: issuedAt))
        order.append((key, now + lifetime))
        forgetExpired(now: now)
    }

    /// The reason of a remembered kill for this attempt: one naming the attempt, or one naming
    /// no attempt ("whatever runs") issued after the dispatch was. A dispatch created after
    /// such a kill belongs to a later rerun of the task and must run.
    func reason(runID: UUID, taskID: String, attempt: Int, dispatchedAt: Date) -> String? {
        entries[Self.key(runID, taskID)]?.last { entry in
            entry.attempt == attempt || (entry.attempt == nil && dispatchedAt <= entry.issuedAt)
        }?.reason
    }

    private mutating func forgetExpired(now: ContinuousClock.Instant) {
        while head < order.count, order[head].expires <= now || count > capacity {
            let key = order[head].key
            entries[key]?.removeFirst()
            if entries[key]?.isEmpty == true { entries[key] = nil }
            head += 1
        }
        if head > 1_024, head * 2 > order.count {
            order.removeFirst(head)
            head = 0
        }
    }

    private static func key(_ runID: UUID, _ taskID: String) -> String { "\(runID.key)/\(taskID)" }
}
