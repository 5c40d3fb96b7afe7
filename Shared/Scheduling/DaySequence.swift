/// The local dates that pass a `DayFilter`, ascending, from a first date up to a last one. Months
/// the cron month field excludes are skipped whole, and with `onlyDates` only those dates are
/// visited, so sparse schedules ("0 0 29 2 *") stay cheap.
struct DaySequence {
    /// How long to look without finding a matching day before concluding there is none
    /// ("0 0 30 2 *"): about 50 years.
    static let horizonDays = 50 * 366

    private let filter: DayFilter
    private let last: LocalDate
    private let candidates: [LocalDate]?
    private var nextCandidate = 0
    private var cursor: LocalDate?
    private var lastMatchDayNumber: Int

    init(filter: DayFilter, first: LocalDate, last: LocalDate) {
        self.filter = filter
        self.last = last
        cursor = first
        lastMatchDayNumber = first.dayNumber
        candidates = filter.onlyDates.map { $0.filter { $0 >= first }.sorted() }
    }

    mutating func next() -> LocalDate? {
        candidates == nil ? nextConsecutive() : nextListed()
    }

    private mutating func nextListed() -> LocalDate? {
        while let candidates, nextCandidate < candidates.count, candidates[nextCandidate] <= last {
            let date = candidates[nextCandidate]
            nextCandidate += 1
            if filter.matches(date) { return date }
        }
        return nil
    }

    private mutating func nextConsecutive() -> LocalDate? {
        while let date = cursor, date <= last, date.dayNumber - lastMatchDayNumber <= DaySequence.horizonDays {
            guard filter.cron.months.contains(date.month) else {
                cursor = date.firstOfNextMonth
                continue
            }
            cursor = date.adding(days: 1)
            if filter.matches(date) {
                lastMatchDayNumber = date.dayNumber
                return date
            }
        }
        cursor = nil
        return nil
    }
}
