import Testing
@testable import Scheduling

/// Australia/Lord_Howe shifts by 30 minutes: +11:00 in summer, +10:30 in winter. In 2026 it falls
/// back on 2026-04-05 at 02:00 (+11) to 01:30 (+10:30), repeating 01:30-01:59, and springs forward
/// on 2026-10-04 at 02:00 (+10:30) to 02:30 (+11), skipping 02:00-02:29.
@Suite struct DSTLordHoweTests {
    private let zone = "Australia/Lord_Howe"

    @Test func foundationAgreesOnTheTransitions() throws {
        let lordHowe = try zoneNamed(zone)
        let autumn = try instant("2026-04-04T15:00:00Z", in: lordHowe)
        let spring = try instant("2026-10-03T15:30:00Z", in: lordHowe)
        #expect(lordHowe.secondsFromGMT(for: autumn.addingTimeInterval(-1)) == 39600)
        #expect(lordHowe.secondsFromGMT(for: autumn) == 37800)
        #expect(lordHowe.secondsFromGMT(for: spring.addingTimeInterval(-1)) == 37800)
        #expect(lordHowe.secondsFromGMT(for: spring) == 39600)
    }

    @Test func fixedTimeInTheHalfHourGapFiresOnceAtTheTransition() throws {
        #expect(try Schedule("15 2 * * *", in: zone).chain(after: "2026-10-03T00:00:00+10:30", count: 3) == [
            "2026-10-03T02:15:00+10:30", "2026-10-04T02:30:00+11:00", "2026-10-05T02:15:00+11:00",
        ])
        #expect(try Schedule("0,15,30,45 2 * * *", in: zone).fires(
            after: "2026-10-04T00:00:00+10:30", through: "2026-10-04T23:00:00+11:00"
        ) == ["2026-10-04T02:30:00+11:00", "2026-10-04T02:45:00+11:00"])
    }

    @Test func intervalSchedulesSkipTheMissingHalfHour() throws {
        #expect(try Schedule("*/15 * * * *", in: zone).fires(
            after: "2026-10-04T01:30:00+10:30", through: "2026-10-04T03:00:00+11:00"
        ) == [
            "2026-10-04T01:45:00+10:30", "2026-10-04T02:30:00+11:00",
            "2026-10-04T02:45:00+11:00", "2026-10-04T03:00:00+11:00",
        ])
        // The top of the hour at 02:00 does not exist, so hourly fires 1h30 apart here.
        #expect(try Schedule("0 * * * *", in: zone).fires(
            after: "2026-10-04T00:30:00+10:30", through: "2026-10-04T04:00:00+11:00"
        ) == ["2026-10-04T01:00:00+10:30", "2026-10-04T03:00:00+11:00", "2026-10-04T04:00:00+11:00"])
    }

    @Test func fixedTimeInTheRepeatedHalfHourFiresAtTheFirstOccurrence() throws {
        #expect(try Schedule("45 1 * * *", in: zone).chain(after: "2026-04-04T12:00:00+11:00", count: 2) == [
            "2026-04-05T01:45:00+11:00", "2026-04-06T01:45:00+10:30",
        ])
    }

    @Test func intervalSchedulesFireTheRepeatedHalfHourTwice() throws {
        let expected = [
            "2026-04-05T01:00:00+11:00", "2026-04-05T01:15:00+11:00", "2026-04-05T01:30:00+11:00",
            "2026-04-05T01:45:00+11:00", "2026-04-05T01:30:00+10:30", "2026-04-05T01:45:00+10:30",
            "2026-04-05T02:00:00+10:30", "2026-04-05T02:15:00+10:30",
        ]
        let schedule = try Schedule("*/15 * * * *", in: zone)
        #expect(try schedule.fires(after: "2026-04-05T00:50:00+11:00", through: "2026-04-05T02:15:00+10:30") == expected)
        #expect(try schedule.chain(after: "2026-04-05T00:50:00+11:00", count: 8) == expected)
        // Hourly: 01:00 is not repeated (only 01:30-01:59 is), so no double fire.
        #expect(try Schedule("0 * * * *", in: zone).fires(
            after: "2026-04-05T00:30:00+11:00", through: "2026-04-05T03:00:00+10:30"
        ) == ["2026-04-05T01:00:00+11:00", "2026-04-05T02:00:00+10:30", "2026-04-05T03:00:00+10:30"])
    }

    @Test func fixedTimeAwayFromTheChangeKeepsItsWallTime() throws {
        #expect(try Schedule("0 6 * * *", in: zone).fires(
            after: "2026-10-03T00:00:00+10:30", through: "2026-10-05T23:00:00+11:00"
        ) == ["2026-10-03T06:00:00+10:30", "2026-10-04T06:00:00+11:00", "2026-10-05T06:00:00+11:00"])
    }
}
