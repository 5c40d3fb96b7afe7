/// The day-of-month field: plain days plus Quartz's `L`, `L-n`, `nW` and `LW`, which depend on the
/// month's length and weekdays and so cannot be a fixed set of numbers.
struct DayOfMonthField: Sendable, Equatable {
    var days = ValueSet()
    /// 0 for `L`, n for `L-n`.
    var offsetsFromLastDay = ValueSet()
    /// n for `nW`.
    var nearestWeekdayTo = ValueSet()
    /// `LW`.
    var lastWeekday = false
    /// The text starts with `*` or `?`; drives the Vixie either/both rule.
    var isUnrestricted = false

    mutating func formUnion(_ other: DayOfMonthField) {
        days.formUnion(other.days)
        offsetsFromLastDay.formUnion(other.offsetsFromLastDay)
        nearestWeekdayTo.formUnion(other.nearestWeekdayTo)
        lastWeekday = lastWeekday || other.lastWeekday
    }

    func matches(_ date: LocalDate, weekday: Int, daysInMonth: Int) -> Bool {
        if days.contains(date.day) || offsetsFromLastDay.contains(daysInMonth - date.day) {
            return true
        }
        if lastWeekday, date.day == DayOfMonthField.nearestWeekday(to: daysInMonth, date, weekday, daysInMonth) {
            return true
        }
        // A nearest weekday is never more than two days from its target, and a target past the
        // month's end (31W in April) has no day at all.
        guard !nearestWeekdayTo.isEmpty else { return false }
        return (max(1, date.day - 2)...min(daysInMonth, date.day + 2)).contains { target in
            nearestWeekdayTo.contains(target)
                && date.day == DayOfMonthField.nearestWeekday(to: target, date, weekday, daysInMonth)
        }
    }

    /// The weekday closest to `target` without leaving the month: a Saturday moves back to Friday
    /// unless that is in the previous month (then forward to Monday), a Sunday moves forward to
    /// Monday unless that is in the next month (then back to Friday). `date`/`weekday` anchor the
    /// weekday arithmetic.
    static func nearestWeekday(to target: Int, _ date: LocalDate, _ weekday: Int, _ daysInMonth: Int) -> Int {
        switch floorMod(weekday + target - date.day, 7) {
        case 6: target > 1 ? target - 1 : target + 2
        case 0: target < daysInMonth ? target + 1 : target - 2
        default: target
        }
    }
}
