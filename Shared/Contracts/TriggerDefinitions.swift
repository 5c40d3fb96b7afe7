import Foundation
import Scheduling

/// One time-driven trigger of a workflow. The text fields are kept as written (validated by
/// `WorkflowDefinition.parse`), so a stored definition reads back exactly as it was applied.
public struct ScheduleDefinition: Codable, Sendable, Equatable {
    public static let defaultMisfireGrace = 60
    public static let defaultCatchUpLimit = 50

    public var id: String
    public var cron: String
    public var timezone: String
    /// Dates of this tenant calendar never fire and are not business days.
    public var excludeCalendar: String?
    /// Only dates of this tenant calendar fire.
    public var onlyCalendar: String?
    /// Fire only on the n-th business day of the month (negative: counted from the month's end).
    public var businessDay: Int?
    public var start: String?
    public var end: String?
    /// Each fire is delayed by a stable pseudo-random amount below this; its logical time is not.
    public var jitter: String?
    public var overlap: OverlapPolicy
    public var misfire: MisfirePolicy
    public var misfireGrace: String?
    public var catchUpLimit: Int?
    /// Parameters every run of this schedule gets.
    public var parameters: [String: String]

    public var jitterSeconds: Int { jitter.flatMap(DurationText.seconds) ?? 0 }
    public var misfireGraceSeconds: Int { misfireGrace.flatMap(DurationText.seconds) ?? Self.defaultMisfireGrace }
    public var effectiveCatchUpLimit: Int { catchUpLimit ?? Self.defaultCatchUpLimit }
    public var calendarNames: [String] { [excludeCalendar, onlyCalendar].compactMap { $0 } }

    /// The parsed zone; `parse` guarantees it exists, UTC is only a fallback for hand-built values.
    public var timeZone: TimeZone { TimeZones.named(timezone) ?? TimeZone(secondsFromGMT: 0) ?? .current }
    public var startDate: Date? { start.flatMap { ISO8601Local.parse($0, in: timeZone) } }
    public var endDate: Date? { end.flatMap { ISO8601Local.parse($0, in: timeZone) } }

    public init(id: String, cron: String, timezone: String = "UTC", excludeCalendar: String? = nil, onlyCalendar: String? = nil,
                businessDay: Int? = nil, start: String? = nil, end: String? = nil, jitter: String? = nil,
                overlap: OverlapPolicy = .skip, misfire: MisfirePolicy = .runLatest, misfireGrace: String? = nil,
                catchUpLimit: Int? = nil, parameters: [String: String] = [:]) {
        self.id = id
        self.cron = cron
        self.timezone = timezone
        self.excludeCalendar = excludeCalendar
        self.onlyCalendar = onlyCalendar
        self.businessDay = businessDay
        self.start = start
        self.end = end
        self.jitter = jitter
        self.overlap = overlap
        self.misfire = misfire
        self.misfireGrace = misfireGrace
        self.catchUpLimit = catchUpLimit
        self.parameters = parameters
    }

    /// The fire-time rule, given the dates of the calendars it names (empty when it names none).
    public func rule(excludedDates: Set<LocalDate>, onlyDates: Set<LocalDate>?) throws(DefinitionError) -> ScheduleRule {
        let expression: CronExpression
        do { expression = try CronExpression.parse(cron) } catch { throw DefinitionError("schedule '\(id)': \(error)") }
        return ScheduleRule(cron: expression, timeZone: timeZone, excludedDates: excludedDates, onlyDates: onlyDates,
                            businessDay: businessDay, start: startDate, end: endDate)
    }
}

/// A Kafka-topic trigger: a message on `topic` whose fields equal every `match` entry starts a run,
/// with the message's top-level fields as run parameters (over the trigger's own `parameters`).
public struct EventTriggerDefinition: Codable, Sendable, Equatable {
    public var id: String
    public var topic: String
    /// Field path ("type", "order.region") → the value it must have, compared as text.
    public var match: [String: String]
    public var parameters: [String: String]

    public init(id: String, topic: String, match: [String: String] = [:], parameters: [String: String] = [:]) {
        self.id = id
        self.topic = topic
        self.match = match
        self.parameters = parameters
    }
}
