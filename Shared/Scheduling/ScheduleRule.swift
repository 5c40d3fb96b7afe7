import Foundation

/// When a job fires: a cron expression read in a time zone, narrowed by calendar filters and an
/// optional validity window. Pure and cheap, so trigger-service plans with it and
/// `wloadctl cron next` prints exactly the same instants.
///
/// ## DST policy (Vixie cron's)
///
/// Fires are computed in the zone's local wall time. The planner walks local days from the local
/// date of `after`; for each day that passes the day filters it walks the matching
/// (hour, minute, second) wall times in ascending order and maps each to instants:
///
/// - **Exactly one instant**: that instant is a candidate.
/// - **No instant** (the wall time lies in a spring-forward gap): a fixed-time schedule
///   (`CronExpression.isFixedTime`, the hour field names particular hours) fires at the first
///   valid instant after the gap, the transition instant, and fires only once there even when
///   several of its wall times fall into the same gap. An interval schedule (the hour field
///   matches all 24 hours) does not fire for that wall time: the clock skipped it.
/// - **Two instants** (a fall-back overlap repeats the wall time): a fixed-time schedule fires
///   at the first occurrence only; an interval schedule fires at both, in order, since each is
///   a real, distinct hour of elapsed time.
///
/// Every fire is strictly later than the previous one, so a schedule is never skipped on a
/// changeover day and never fires twice for one wall-clock time. The mapping is computed from
/// `TimeZone.secondsFromGMT(for:)` alone and works for any IANA zone, including 30-minute shifts
/// (Australia/Lord_Howe).
///
/// ## Calendar filters
///
/// All in local dates of `timeZone`, combined with the cron day fields by AND: a date in
/// `excludedDates` never fires; with `onlyDates`, only those dates fire; `businessDay` n keeps
/// only the n-th business day of the month (1 = first, -1 = last; 1...23 or -23...-1, any other
/// value never fires), where business days are Monday–Friday not in `excludedDates`. `start` and
/// `end` are inclusive bounds on fire instants.
public struct ScheduleRule: Sendable {
    let cron: CronExpression
    let timeZone: TimeZone
    let dayFilter: DayFilter
    let start: Date?
    let end: Date?

    public init(
        cron: CronExpression, timeZone: TimeZone, excludedDates: Set<LocalDate> = [],
        onlyDates: Set<LocalDate>? = nil, businessDay: Int? = nil, start: Date? = nil, end: Date? = nil
    ) {
        self.cron = cron
        self.timeZone = timeZone
        dayFilter = DayFilter(cron: cron, excludedDates: excludedDates, onlyDates: onlyDates, businessDay: businessDay)
        self.start = start
        self.end = end
    }

    /// The first fire strictly after `after`, or nil when there is none: past `end`, or no
    /// matching day within about 50 years ("0 0 30 2 *").
    public func next(after: Date) -> Date? {
        var sequence = FireSequence(rule: self, after: after, start: start, end: end)
        return sequence?.next().map(Instant.date)
    }

    /// Every fire strictly after `after` and at or before `through`, ascending, at most `limit`
    /// of them (none for a `limit` of zero or less).
    public func fires(after: Date, through: Date, limit: Int) -> [Date] {
        let bound = end.map { min($0, through) } ?? through
        guard limit > 0, var sequence = FireSequence(rule: self, after: after, start: start, end: bound) else {
            return []
        }
        var fires: [Date] = []
        while fires.count < limit, let instant = sequence.next() {
            fires.append(Instant.date(instant))
        }
        return fires
    }
}
