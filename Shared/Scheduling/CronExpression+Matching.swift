/// Matching of local days and times of day against the precomputed fields.
extension CronExpression {
    /// Vixie cron's day rule: when both day fields are restricted (neither starts with `*` or
    /// `?`), a day matches if either does, so "0 0 13 * 5" fires on the 13th and on Fridays;
    /// otherwise both must match.
    func matchesDay(_ date: LocalDate) -> Bool {
        guard months.contains(date.month) else { return false }
        let weekday = date.weekday
        let daysInMonth = date.daysInMonth
        let dayOfMonth = daysOfMonth.matches(date, weekday: weekday, daysInMonth: daysInMonth)
        let dayOfWeek = daysOfWeek.matches(date, weekday: weekday, daysInMonth: daysInMonth)
        if daysOfMonth.isUnrestricted || daysOfWeek.isUnrestricted {
            return dayOfMonth && dayOfWeek
        }
        return dayOfMonth || dayOfWeek
    }

    /// The first matching second of the day at or after `secondOfDay`, carrying from seconds to
    /// minutes to hours like an odometer; nil when none is left today. O(1) per call.
    func nextTime(atOrAfter secondOfDay: Int) -> Int? {
        guard let firstMinute = minutes.first, let firstSecond = seconds.first else { return nil }
        let hour = secondOfDay / 3600, minute = secondOfDay / 60 % 60, second = secondOfDay % 60
        guard let matchedHour = hours.next(atOrAfter: hour) else { return nil }
        if matchedHour > hour { return matchedHour * 3600 + firstMinute * 60 + firstSecond }
        if let matchedMinute = minutes.next(atOrAfter: minute) {
            if matchedMinute > minute { return hour * 3600 + matchedMinute * 60 + firstSecond }
            if let matchedSecond = seconds.next(atOrAfter: second) {
                return hour * 3600 + minute * 60 + matchedSecond
            }
            if let laterMinute = minutes.next(atOrAfter: minute + 1) {
                return hour * 3600 + laterMinute * 60 + firstSecond
            }
        }
        guard let laterHour = hours.next(atOrAfter: hour + 1) else { return nil }
        return laterHour * 3600 + firstMinute * 60 + firstSecond
    }
}
