import Foundation

/// A parsed cron expression: five fields (minute hour day-of-month month day-of-week) or six with
/// a leading seconds field, Vixie syntax plus Quartz's day extensions (`L`, `W`, `#`, `?`) and the
/// `@daily`-style macros.
///
/// Parsing validates everything up front and precomputes each field as a bit set, so the planner
/// never re-reads text and an invalid expression can never reach it.
public struct CronExpression: Sendable, Equatable, CustomStringConvertible {
    let source: String
    let seconds: TimeField
    let minutes: TimeField
    let hours: TimeField
    let daysOfMonth: DayOfMonthField
    let months: ValueSet
    let daysOfWeek: DayOfWeekField

    /// Parses `text`; leading and trailing whitespace is ignored, fields are separated by runs of
    /// spaces or tabs.
    public static func parse(_ text: String) throws(CronError) -> CronExpression {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else { throw CronError("empty expression: expected 5 or 6 fields") }
        let fields = try CronMacro.fields(of: trimmed).split(whereSeparator: \.isWhitespace).map(String.init)
        guard fields.count == 5 || fields.count == 6 else {
            throw CronError("expected 5 or 6 fields, got \(fields.count)")
        }
        return try CronExpression(source: trimmed, fields: fields)
    }

    private init(source: String, fields: [String]) throws(CronError) {
        let texts = Dictionary(uniqueKeysWithValues: zip(CronFieldKind.layout(fieldCount: fields.count), fields))
        // Only the seconds field can be absent; five-field expressions fire at second 0.
        func parser(_ kind: CronFieldKind) -> CronFieldParser {
            CronFieldParser(kind: kind, text: texts[kind] ?? "0")
        }
        self.source = source
        seconds = TimeField(values: try parser(.second).plainValues(), upperBound: 59)
        minutes = TimeField(values: try parser(.minute).plainValues(), upperBound: 59)
        hours = TimeField(values: try parser(.hour).plainValues(), upperBound: 23)
        daysOfMonth = try parser(.dayOfMonth).dayOfMonth()
        months = try parser(.month).plainValues()
        daysOfWeek = try parser(.dayOfWeek).dayOfWeek()
    }

    /// The source text as given (trimmed), so a schedule is shown the way its author wrote it.
    public var description: String { source }

    /// true unless the hour field matches all 24 hours. Fixed-time schedules name wall-clock
    /// times ("02:30 every day") and are shifted or deduplicated across DST changes; interval
    /// schedules follow elapsed time (see `ScheduleRule` for the full policy).
    public var isFixedTime: Bool {
        hours.values.bits != (1 << 24) - 1
    }
}
