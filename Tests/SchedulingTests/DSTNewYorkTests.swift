import Testing
@testable import Scheduling

/// America/New_York 2026: spring forward 2026-03-08 02:00 EST -> 03:00 EDT, fall back 2026-11-01
/// 02:00 EDT -> 01:00 EST, so 02:00-02:59 is missing in March and 01:00-01:59 repeated in November.
@Suite struct DSTNewYorkTests {
    private let zone = "America/New_York"

    @Test func fixedTimeInTheGapFiresOnceAtTheTransition() throws {
        #expect(try Schedule("30 2 * * *", in: zone).chain(after: "2026-03-07T00:00:00-05:00", count: 3) == [
            "2026-03-07T02:30:00-05:00", "2026-03-08T03:00:00-04:00", "2026-03-09T02:30:00-04:00",
        ])
        #expect(try Schedule("0,15,30,45 2 * * *", in: zone).fires(
            after: "2026-03-08T00:00:00-05:00", through: "2026-03-08T23:00:00-04:00"
        ) == ["2026-03-08T03:00:00-04:00"])
    }

    @Test func intervalSchedulesSkipTheMissingHour() throws {
        #expect(try Schedule("*/30 * * * *", in: zone).fires(
            after: "2026-03-08T01:00:00-05:00", through: "2026-03-08T04:00:00-04:00"
        ) == [
            "2026-03-08T01:30:00-05:00", "2026-03-08T03:00:00-04:00",
            "2026-03-08T03:30:00-04:00", "2026-03-08T04:00:00-04:00",
        ])
    }

    @Test func fixedTimeInTheRepeatedHourFiresAtTheFirstOccurrence() throws {
        #expect(try Schedule("30 1 * * *", in: zone).chain(after: "2026-10-31T12:00:00-04:00", count: 2) == [
            "2026-11-01T01:30:00-04:00", "2026-11-02T01:30:00-05:00",
        ])
    }

    @Test func hourlyFiresTheRepeatedHourTwice() throws {
        #expect(try Schedule("0 * * * *", in: zone).fires(
            after: "2026-11-01T00:00:00-04:00", through: "2026-11-01T03:00:00-05:00"
        ) == [
            "2026-11-01T01:00:00-04:00", "2026-11-01T01:00:00-05:00",
            "2026-11-01T02:00:00-05:00", "2026-11-01T03:00:00-05:00",
        ])
    }

    @Test func halfHourlyFollowsElapsedTimeThroughTheOverlap() throws {
        #expect(try Schedule("*/30 * * * *", in: zone).chain(after: "2026-11-01T00:45:00-04:00", count: 6) == [
            "2026-11-01T01:00:00-04:00", "2026-11-01T01:30:00-04:00", "2026-11-01T01:00:00-05:00",
            "2026-11-01T01:30:00-05:00", "2026-11-01T02:00:00-05:00", "2026-11-01T02:30:00-05:00",
        ])
    }

    @Test func fixedTimeAwayFromTheChangeKeepsItsWallTime() throws {
        #expect(try Schedule("0 9 * * *", in: zone).fires(
            after: "2026-10-31T00:00:00-04:00", through: "2026-11-02T23:00:00-05:00"
        ) == ["2026-10-31T09:00:00-04:00", "2026-11-01T09:00:00-05:00", "2026-11-02T09:00:00-05:00"])
    }
}
