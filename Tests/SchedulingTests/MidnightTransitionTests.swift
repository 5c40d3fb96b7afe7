import Testing
@testable import Scheduling

/// America/Santiago changes clocks at midnight: 2026-04-05 00:00 (-03) falls back to 2026-04-04
/// 23:00 (-04), repeating the last hour of the previous day, and 2026-09-06 00:00 (-04) springs
/// to 01:00 (-03), so that day has no midnight.
@Suite struct MidnightTransitionTests {
    private let zone = "America/Santiago"

    @Test func dailyMidnightFiresWhenTheDayBegins() throws {
        #expect(try Schedule("0 0 * * *", in: zone).chain(after: "2026-09-05T12:00:00-04:00", count: 2) == [
            "2026-09-06T01:00:00-03:00", "2026-09-07T00:00:00-03:00",
        ])
    }

    @Test func repeatedHourOfThePreviousDayIsFoundAfterItsFirstPass() throws {
        // The fire at 23:30 (-04) reads earlier on the clock than the instant asked about.
        let schedule = try Schedule("30 * * * *", in: zone)
        #expect(try schedule.next(after: "2026-04-04T23:45:00-03:00") == "2026-04-04T23:30:00-04:00")
        #expect(try schedule.chain(after: "2026-04-04T22:45:00-03:00", count: 3) == [
            "2026-04-04T23:30:00-03:00", "2026-04-04T23:30:00-04:00", "2026-04-05T00:30:00-04:00",
        ])
    }

    @Test func fixedTimeInTheRepeatedHourFiresOnce() throws {
        #expect(try Schedule("30 23 * * *", in: zone).chain(after: "2026-04-04T12:00:00-03:00", count: 2) == [
            "2026-04-04T23:30:00-03:00", "2026-04-05T23:30:00-04:00",
        ])
    }

    @Test func dateOnlyTextIsTheStartOfTheLocalDay() throws {
        let santiago = try zoneNamed(zone)
        let midnight = try #require(ISO8601Local.parse("2026-09-06", in: santiago))
        #expect(ISO8601Local.format(midnight, in: santiago) == "2026-09-06T01:00:00-03:00")
    }
}
