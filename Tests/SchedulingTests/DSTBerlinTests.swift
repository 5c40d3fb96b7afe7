import Testing
@testable import Scheduling

/// Europe/Berlin 2026: spring forward 2026-03-29 02:00 CET -> 03:00 CEST (01:00Z), fall back
/// 2026-10-25 03:00 CEST -> 02:00 CET (01:00Z), so 02:00-02:59 is missing in March and repeated
/// in October.
@Suite struct DSTBerlinTests {
    private let zone = "Europe/Berlin"

    @Test func foundationAgreesOnTheTransitions() throws {
        let berlin = try zoneNamed(zone)
        let spring = try instant("2026-03-29T01:00:00Z", in: berlin)
        let autumn = try instant("2026-10-25T01:00:00Z", in: berlin)
        #expect(berlin.secondsFromGMT(for: spring.addingTimeInterval(-1)) == 3600)
        #expect(berlin.secondsFromGMT(for: spring) == 7200)
        #expect(berlin.secondsFromGMT(for: autumn.addingTimeInterval(-1)) == 7200)
        #expect(berlin.secondsFromGMT(for: autumn) == 3600)
    }

    // MARK: - Spring forward

    @Test func fixedTimeInTheGapFiresOnceAtTheTransition() throws {
        #expect(try Schedule("30 2 * * *", in: zone).chain(after: "2026-03-28T00:00:00+01:00", count: 3) == [
            "2026-03-28T02:30:00+01:00", "2026-03-29T03:00:00+02:00", "2026-03-30T02:30:00+02:00",
        ])
        #expect(try Schedule("0 2 * * *", in: zone).next(after: "2026-03-29T00:00:00+01:00") == "2026-03-29T03:00:00+02:00")
    }

    @Test func severalFixedTimesInOneGapFireOnce() throws {
        let expected = [
            "2026-03-28T02:00:00+01:00", "2026-03-28T02:30:00+01:00", "2026-03-29T03:00:00+02:00",
            "2026-03-30T02:00:00+02:00", "2026-03-30T02:30:00+02:00",
        ]
        let schedule = try Schedule("0,30 2 * * *", in: zone)
        #expect(try schedule.fires(after: "2026-03-28T00:00:00+01:00", through: "2026-03-30T23:00:00+02:00") == expected)
        #expect(try schedule.chain(after: "2026-03-28T00:00:00+01:00", count: 5) == expected)
    }

    @Test func aGapFireMergesWithAFixedTimeAtTheTransition() throws {
        #expect(try Schedule("30 2,3 * * *", in: zone).fires(
            after: "2026-03-29T00:00:00+01:00", through: "2026-03-29T12:00:00+02:00"
        ) == ["2026-03-29T03:00:00+02:00", "2026-03-29T03:30:00+02:00"])
        #expect(try Schedule("0 2,3 * * *", in: zone).fires(
            after: "2026-03-29T00:00:00+01:00", through: "2026-03-29T12:00:00+02:00"
        ) == ["2026-03-29T03:00:00+02:00"])
    }

    @Test func secondsInTheGapFireOnce() throws {
        #expect(try Schedule("*/20 * 1,2 * * *", in: zone).fires(
            after: "2026-03-29T01:59:30+01:00", through: "2026-03-29T04:00:00+02:00"
        ) == ["2026-03-29T01:59:40+01:00", "2026-03-29T03:00:00+02:00"])
    }

    @Test func hourlySkipsTheMissingHour() throws {
        #expect(try Schedule("0 * * * *", in: zone).fires(
            after: "2026-03-29T00:00:00+01:00", through: "2026-03-29T05:00:00+02:00"
        ) == [
            "2026-03-29T01:00:00+01:00", "2026-03-29T03:00:00+02:00",
            "2026-03-29T04:00:00+02:00", "2026-03-29T05:00:00+02:00",
        ])
    }

    @Test func halfHourlySkipsTheMissingWallTimes() throws {
        #expect(try Schedule("*/30 * * * *", in: zone).fires(
            after: "2026-03-29T00:45:00+01:00", through: "2026-03-29T04:00:00+02:00"
        ) == [
            "2026-03-29T01:00:00+01:00", "2026-03-29T01:30:00+01:00", "2026-03-29T03:00:00+02:00",
            "2026-03-29T03:30:00+02:00", "2026-03-29T04:00:00+02:00",
        ])
    }

    // MARK: - Fall back

    @Test func fixedTimeInTheRepeatedHourFiresAtTheFirstOccurrence() throws {
        #expect(try Schedule("30 2 * * *", in: zone).chain(after: "2026-10-24T00:00:00+02:00", count: 3) == [
            "2026-10-24T02:30:00+02:00", "2026-10-25T02:30:00+02:00", "2026-10-26T02:30:00+01:00",
        ])
        // Asked again from between the two occurrences: the repeat is not a fire.
        #expect(try Schedule("30 2 * * *", in: zone).next(after: "2026-10-25T02:10:00+01:00") == "2026-10-26T02:30:00+01:00")
    }

    @Test func hourlyFiresTheRepeatedHourTwice() throws {
        let expected = [
            "2026-10-25T01:00:00+02:00", "2026-10-25T02:00:00+02:00", "2026-10-25T02:00:00+01:00",
            "2026-10-25T03:00:00+01:00", "2026-10-25T04:00:00+01:00",
        ]
        let schedule = try Schedule("0 * * * *", in: zone)
        #expect(try schedule.fires(after: "2026-10-25T00:00:00+02:00", through: "2026-10-25T04:00:00+01:00") == expected)
        #expect(try schedule.chain(after: "2026-10-25T00:00:00+02:00", count: 5) == expected)
    }

    @Test func halfHourlyInterleavesBothPassesInElapsedOrder() throws {
        let expected = [
            "2026-10-25T01:30:00+02:00", "2026-10-25T02:00:00+02:00", "2026-10-25T02:30:00+02:00",
            "2026-10-25T02:00:00+01:00", "2026-10-25T02:30:00+01:00", "2026-10-25T03:00:00+01:00",
        ]
        let schedule = try Schedule("*/30 * * * *", in: zone)
        #expect(try schedule.fires(after: "2026-10-25T01:00:00+02:00", through: "2026-10-25T03:00:00+01:00") == expected)
        #expect(try schedule.chain(after: "2026-10-25T01:00:00+02:00", count: 6) == expected)
        #expect(try schedule.next(after: "2026-10-25T02:45:00+02:00") == "2026-10-25T02:00:00+01:00")
    }

    // MARK: - Unaffected

    @Test func fixedTimeAwayFromTheChangeKeepsItsWallTime() throws {
        let schedule = try Schedule("0 12 * * *", in: zone)
        #expect(try schedule.fires(after: "2026-03-28T00:00:00+01:00", through: "2026-03-30T23:00:00+02:00") == [
            "2026-03-28T12:00:00+01:00", "2026-03-29T12:00:00+02:00", "2026-03-30T12:00:00+02:00",
        ])
        #expect(try schedule.fires(after: "2026-10-24T00:00:00+02:00", through: "2026-10-26T23:00:00+01:00") == [
            "2026-10-24T12:00:00+02:00", "2026-10-25T12:00:00+01:00", "2026-10-26T12:00:00+01:00",
        ])
    }
}
