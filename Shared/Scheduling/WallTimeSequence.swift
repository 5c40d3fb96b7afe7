/// The local wall times a cron expression names, ascending, day by day: each step jumps straight to
/// the next matching time of day (never second by second) and non-matching days are never looked at
/// beyond their date.
struct WallTimeSequence {
    private let cron: CronExpression
    private var days: DaySequence
    private var day: LocalDate?
    private var nextSecond: Int

    /// Starts at wall time `from` (inclusive) and ends with the day `last`.
    init(filter: DayFilter, from: Int, last: LocalDate) {
        cron = filter.cron
        let clampedFrom = max(from, LocalDate.earliest.dayNumber * 86_400)
        let firstDay = LocalDate(dayNumber: floorDiv(clampedFrom, 86_400))
        days = DaySequence(filter: filter, first: firstDay ?? last, last: last)
        day = firstDay == nil ? nil : days.next()
        nextSecond = day == firstDay ? floorMod(clampedFrom, 86_400) : 0
    }

    mutating func next() -> Int? {
        while let current = day {
            if let time = cron.nextTime(atOrAfter: nextSecond) {
                nextSecond = time + 1
                return current.dayNumber * 86_400 + time
            }
            day = days.next()
            nextSecond = 0
        }
        return nil
    }
}
