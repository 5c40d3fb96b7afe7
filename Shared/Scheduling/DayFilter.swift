/// Decides whether a local date may fire at all: the cron day fields AND the calendar filters of a
/// `ScheduleRule`. Cheap checks run first because the planner asks about every candidate day.
struct DayFilter: Sendable {
    let cron: CronExpression
    let excludedDates: Set<LocalDate>
    let onlyDates: Set<LocalDate>?
    let businessDay: Int?

    /// The valid business-day ordinals; any other value matches no day (the rule never fires)
    /// rather than being clamped to something the author did not write.
    static let businessDayOrdinals = Set(Array(1...23) + Array(-23...(-1)))

    func matches(_ date: LocalDate) -> Bool {
        guard cron.matchesDay(date), !excludedDates.contains(date) else { return false }
        if let onlyDates, !onlyDates.contains(date) { return false }
        guard let businessDay else { return true }
        return isBusinessDay(number: businessDay, date)
    }

    /// Business days are Monday–Friday not in `excludedDates`; `number` counts from the start of
    /// the month (1 = first) or, when negative, from its end (-1 = last).
    func isBusinessDay(number: Int, _ date: LocalDate) -> Bool {
        guard DayFilter.businessDayOrdinals.contains(number), isBusinessDay(date) else { return false }
        let days = number > 0 ? 1...date.day : date.day...date.daysInMonth
        let count = days.count { day in
            isBusinessDay(LocalDate(validYear: date.year, month: date.month, day: day))
        }
        return count == abs(number)
    }

    private func isBusinessDay(_ date: LocalDate) -> Bool {
        (1...5).contains(date.weekday) && !excludedDates.contains(date)
    }
}
