import Foundation

/// The fires of a `ScheduleRule` strictly after a given instant, ascending and without duplicates.
///
/// Wall times come in ascending wall order, but in a fall-back overlap an interval schedule's
/// second occurrences are later instants than the first occurrences of the wall times that follow
/// them. So instants wait in `pending` until no later wall time can produce an earlier one: the
/// first instant of each wall time never decreases, so anything at or below the latest such first
/// instant is safe to emit.
struct FireSequence {
    private var walls: WallTimeSequence
    private let clock: WallClock
    private let fixedTime: Bool
    private let after: Double
    private let start: Double
    private let end: Double
    private var pending = InstantQueue()
    private var safeThrough: Int?
    private var lastFired: Int?
    private var finished = false

    /// Fires strictly after `after`, at or after `start` and at or before `end` (both inclusive).
    /// nil only for a NaN `after`.
    init?(rule: ScheduleRule, after: Date, start: Date?, end: Date?) {
        self.after = after.timeIntervalSince1970
        self.start = start?.timeIntervalSince1970 ?? -.infinity
        self.end = end?.timeIntervalSince1970 ?? .infinity
        let low = Date(timeIntervalSince1970: max(self.after, self.start))
        guard let lowSeconds = Instant.seconds(flooring: low) else { return nil }
        let highSeconds = end.flatMap(Instant.seconds(flooring:)) ?? Instant.highest
        clock = WallClock(zone: rule.timeZone)
        fixedTime = rule.cron.isFixedTime
        walls = WallTimeSequence(
            filter: rule.dayFilter,
            from: FireSequence.earliestWall(for: lowSeconds, clock: clock),
            last: FireSequence.lastDay(for: highSeconds, clock: clock))
    }

    mutating func next() -> Int? {
        while !finished {
            if let first = pending.first, let safeThrough, first <= safeThrough {
                return emit()
            }
            guard let wall = walls.next() else {
                return pending.isEmpty ? finish() : emit()
            }
            accept(clock.fireInstants(ofWall: wall, fixedTime: fixedTime))
        }
        return nil
    }

    private mutating func accept(_ instants: [Int]) {
        guard let first = instants.first else { return }
        safeThrough = max(safeThrough ?? first, first)
        for instant in instants where isWanted(instant) {
            pending.insert(instant)
        }
    }

    private func isWanted(_ instant: Int) -> Bool {
        Double(instant) > after && Double(instant) >= start && instant > (lastFired ?? Int.min)
    }

    private mutating func emit() -> Int? {
        guard let instant = pending.popFirst() else { return finish() }
        guard Double(instant) <= end else { return finish() }
        lastFired = instant
        return instant
    }

    private mutating func finish() -> Int? {
        finished = true
        pending.removeAll()
        return nil
    }

    // MARK: - Search window

    /// The earliest wall time that can show an instant after `instant`: its own wall time, less
    /// any fall-back shift in the next day (a fire just after a fall-back reads earlier on the
    /// clock than `instant` did).
    static func earliestWall(for instant: Int, clock: WallClock) -> Int {
        let offsets = [0, 43_200, 86_400].map { clock.offset(at: instant + $0) }
        return instant + (offsets.min() ?? 0)
    }

    /// The last local day that can show an instant at or before `instant`.
    static func lastDay(for instant: Int, clock: WallClock) -> LocalDate {
        let wall = clock.wallTime(at: instant) + 86_400
        return LocalDate(dayNumber: floorDiv(wall, 86_400)) ?? LocalDate.latest
    }
}
