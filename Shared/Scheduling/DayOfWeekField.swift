/// The day-of-week field: plain weekdays plus Quartz's `nL` (last weekday n of the month) and
/// `n#k` (k-th weekday n), which depend on where the day sits in its month.
struct DayOfWeekField: Sendable, Equatable {
    /// 0 = Sunday ... 6 = Saturday (7 is folded into 0 while parsing).
    var weekdays = ValueSet()
    /// n for `nL`.
    var lastInMonth = ValueSet()
    /// Bit `(k - 1) * 7 + n` for `n#k`.
    var nthInMonth = ValueSet()
    /// The text starts with `*` or `?`; drives the Vixie either/both rule.
    var isUnrestricted = false

    mutating func formUnion(_ other: DayOfWeekField) {
        weekdays.formUnion(other.weekdays)
        lastInMonth.formUnion(other.lastInMonth)
        nthInMonth.formUnion(other.nthInMonth)
    }

    static func nthBit(weekday: Int, occurrence: Int) -> Int {
        (occurrence - 1) * 7 + weekday
    }

    func matches(_ date: LocalDate, weekday: Int, daysInMonth: Int) -> Bool {
        if weekdays.contains(weekday) { return true }
        if lastInMonth.contains(weekday), date.day + 7 > daysInMonth { return true }
        let occurrence = (date.day - 1) / 7 + 1
        return nthInMonth.contains(DayOfWeekField.nthBit(weekday: weekday, occurrence: occurrence))
    }
}
