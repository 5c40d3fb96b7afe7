/// Day arithmetic done by hand rather than through `Calendar`, because the planner touches every
/// candidate day and these few integer operations are both faster and free of locale settings.
extension LocalDate {
    static func isLeap(_ year: Int) -> Bool {
        (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: isLeap(year) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    static let earliest = LocalDate(validYear: 1, month: 1, day: 1)
    static let latest = LocalDate(validYear: 9999, month: 12, day: 31)

    var daysInMonth: Int { LocalDate.daysIn(month: month, year: year) }

    /// Days since 1970-01-01 (Howard Hinnant's `days_from_civil`), so local wall times become plain
    /// integers: `dayNumber * 86400 + secondOfDay`.
    var dayNumber: Int {
        let shiftedYear = month <= 2 ? year - 1 : year
        let era = (shiftedYear >= 0 ? shiftedYear : shiftedYear - 399) / 400
        let yearOfEra = shiftedYear - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// The inverse of `dayNumber`; nil outside years 1...9999, which ends every search cleanly.
    init?(dayNumber: Int) {
        let shifted = dayNumber + 719_468
        let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        guard (1...9999).contains(year) else { return nil }
        self.init(validYear: year, month: month, day: day)
    }

    /// 0 = Sunday ... 6 = Saturday, cron's numbering.
    var weekday: Int { LocalDate.weekday(ofDayNumber: dayNumber) }

    static func weekday(ofDayNumber number: Int) -> Int {
        floorMod(number + 4, 7)  // 1970-01-01 was a Thursday
    }

    func adding(days: Int) -> LocalDate? { LocalDate(dayNumber: dayNumber + days) }

    var firstOfNextMonth: LocalDate? {
        month == 12
            ? LocalDate(year: year + 1, month: 1, day: 1)
            : LocalDate(validYear: year, month: month + 1, day: 1)
    }
}

func floorMod(_ value: Int, _ divisor: Int) -> Int {
    let remainder = value % divisor
    return remainder < 0 ? remainder + divisor : remainder
}

func floorDiv(_ value: Int, _ divisor: Int) -> Int {
    (value - floorMod(value, divisor)) / divisor
}
