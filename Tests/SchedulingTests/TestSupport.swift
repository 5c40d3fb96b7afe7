import Foundation
import Testing
@testable import Scheduling

/// A schedule under test, read and written as ISO strings in its own zone, so expectations show
/// the exact instant and offset a fire must have.
struct Schedule {
    let rule: ScheduleRule
    let zone: TimeZone

    init(
        _ cron: String, in zoneName: String = "UTC", excluded: [String] = [], only: [String]? = nil,
        businessDay: Int? = nil, start: String? = nil, end: String? = nil
    ) throws {
        let zone = try zoneNamed(zoneName)
        self.zone = zone
        rule = ScheduleRule(
            cron: try CronExpression.parse(cron), timeZone: zone,
            excludedDates: Set(try excluded.map(localDate)), onlyDates: try only.map { Set(try $0.map(localDate)) },
            businessDay: businessDay, start: try start.map { try instant($0, in: zone) },
            end: try end.map { try instant($0, in: zone) })
    }

    func next(after text: String) throws -> String? {
        try rule.next(after: instant(text, in: zone)).map { ISO8601Local.format($0, in: zone) }
    }

    func fires(after: String, through: String, limit: Int = 10_000) throws -> [String] {
        try rule.fires(after: instant(after, in: zone), through: instant(through, in: zone), limit: limit)
            .map { ISO8601Local.format($0, in: zone) }
    }

    /// `count` fires found by calling `next` repeatedly, the way trigger-service walks a schedule.
    func chain(after text: String, count: Int) throws -> [String] {
        var current = try instant(text, in: zone)
        var result: [String] = []
        while result.count < count, let fire = rule.next(after: current) {
            result.append(ISO8601Local.format(fire, in: zone))
            current = fire
        }
        return result
    }
}

func zoneNamed(_ name: String) throws -> TimeZone {
    try #require(TimeZones.named(name), "zone \(name)")
}

func instant(_ text: String, in zone: TimeZone) throws -> Date {
    try #require(ISO8601Local.parse(text, in: zone), "unparsable instant \(text)")
}

func localDate(_ text: String) throws -> LocalDate {
    try #require(LocalDate(text), "invalid date \(text)")
}

/// The error `text` is rejected with; records an issue when it parses.
func parseError(_ text: String) -> CronError? {
    do {
        _ = try CronExpression.parse(text)
        Issue.record("'\(text)' parsed but should have been rejected")
        return nil
    } catch {
        return error
    }
}
