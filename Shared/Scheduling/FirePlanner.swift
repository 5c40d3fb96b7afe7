import Foundation

/// Which of a schedule's fires to act on at one tick. Pure: the scheduler calls it with its clock
/// reading, and tests call it with any instant they like.
///
/// A fire is *due* once its logical time plus its jitter delay has passed. A due fire no later than
/// `grace` behind `now` is *on time* and always fired (a short scheduler outage or a leader change
/// only delays it); older due fires are *missed* and handled by the misfire policy.
public struct FirePlan: Equatable, Sendable {
    /// Logical times to fire now, oldest first.
    public var fires: [Date]
    /// Missed fires the policy dropped (0 when none; counted up to `FirePlanner.countLimit`).
    public var dropped: Int
    /// The next logical time still to come (nil: the schedule has ended).
    public var next: Date?
}

public struct FirePlanner: Sendable {
    /// At most this many fires per schedule per tick; the rest follow on the next tick.
    public static let maxFiresPerTick = 1_000
    /// Counting dropped fires stops here, so a per-second schedule down for a month stays cheap.
    public static let countLimit = 100_000

    public let rule: ScheduleRule
    public let misfire: MisfirePolicy
    public let grace: TimeInterval
    public let catchUpLimit: Int
    /// The start delay of a fire at a logical time (0 without jitter).
    public let delay: @Sendable (Date) -> TimeInterval

    public init(rule: ScheduleRule, misfire: MisfirePolicy, grace: TimeInterval, catchUpLimit: Int,
                delay: @escaping @Sendable (Date) -> TimeInterval = { _ in 0 }) {
        self.rule = rule
        self.misfire = misfire
        self.grace = grace
        self.catchUpLimit = catchUpLimit
        self.delay = delay
    }

    /// The plan for a schedule whose next unprocessed fire is `pending`, at `now`.
    public func plan(pending: Date, now: Date) -> FirePlan {
        let cutoff = now.addingTimeInterval(-grace)
        var plan = FirePlan(fires: [], dropped: 0, next: pending)
        if pending < cutoff { plan = planMissed(from: pending, before: cutoff) }
        var cursor = plan.next
        while let fire = cursor, plan.fires.count < Self.maxFiresPerTick, fire.addingTimeInterval(delay(fire)) <= now {
            plan.fires.append(fire)
            cursor = rule.next(after: fire)
        }
        plan.next = cursor
        return plan
    }

    /// Applies the misfire policy to the fires in [`from`, `cutoff`); `next` is the first fire at or
    /// after the cutoff, where the on-time walk continues.
    private func planMissed(from pending: Date, before cutoff: Date) -> FirePlan {
        let next = rule.next(after: cutoff.addingTimeInterval(-0.001))
        let keep: Int
        switch misfire {
        case .skip: keep = 0
        case .runLatest: keep = 1
        case .catchUp: keep = catchUpLimit
        }
        let latest = latestFires(count: keep, from: pending, before: cutoff)
        let total = countFires(from: pending, before: cutoff)
        return FirePlan(fires: latest, dropped: max(0, total - latest.count), next: next)
    }

    /// The last `count` fires in [`from`, `cutoff`), oldest first. Looks back through windows that
    /// grow eightfold, so the work is proportional to the fires kept, not to the outage's length.
    private func latestFires(count: Int, from pending: Date, before cutoff: Date) -> [Date] {
        guard count > 0 else { return [] }
        var window: TimeInterval = 60
        while true {
            let windowStart = max(pending, cutoff.addingTimeInterval(-window))
            var found: [Date] = []
            var cursor = rule.next(after: windowStart.addingTimeInterval(-0.001))
            while let fire = cursor, fire < cutoff {
                found.append(fire)
                if found.count > count { found.removeFirst(found.count - count) }
                cursor = rule.next(after: fire)
            }
            if found.count >= count || windowStart == pending { return found }
            window *= 8
        }
    }

    private func countFires(from pending: Date, before cutoff: Date) -> Int {
        var total = 0
        var cursor: Date? = pending
        while let fire = cursor, fire < cutoff, total < Self.countLimit {
            total += 1
            cursor = rule.next(after: fire)
        }
        return total
    }
}

/// A stable pseudo-random start delay in [0, `maximum`) for one fire, the same on every scheduler
/// instance, so a leader change cannot move a fire. FNV-1a over the schedule key and logical time.
public enum FireJitter {
    public static func delay(key: String, logicalTime: Date, maximum: Int) -> TimeInterval {
        guard maximum > 0 else { return 0 }
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in "\(key)@\(Int64(logicalTime.timeIntervalSince1970))".utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        return TimeInterval(hash % UInt64(maximum))
    }
}
