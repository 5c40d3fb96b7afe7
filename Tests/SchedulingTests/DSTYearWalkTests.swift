import Foundation
import Testing
@testable import Scheduling

/// Whole-year walks: whatever a zone's clock does, a daily fixed-time schedule fires exactly once
/// per local day and an hourly one once per real hour, always strictly increasing.
@Suite struct DSTYearWalkTests {
    static let dailyCases: [(String, String)] = [
        ("Europe/Berlin", "30 2 * * *"), ("Europe/Berlin", "0 3 * * *"), ("Europe/Berlin", "0 0 * * *"),
        ("America/New_York", "30 2 * * *"), ("America/New_York", "30 1 * * *"),
        ("Australia/Lord_Howe", "15 2 * * *"), ("Australia/Lord_Howe", "45 1 * * *"),
        ("Asia/Shanghai", "30 2 * * *"), ("UTC", "59 23 * * *"),
    ]

    @Test(arguments: dailyCases)
    func dailyFixedScheduleFiresOncePerLocalDay(_ zoneName: String, _ cron: String) throws {
        let schedule = try Schedule(cron, in: zoneName)
        let fires = try schedule.rule.fires(
            after: instant("2025-12-31T23:59:59", in: schedule.zone),
            through: instant("2026-12-31T23:59:59", in: schedule.zone), limit: 1000)
        #expect(fires.count == 365)
        #expect(zip(fires, fires.dropFirst()).allSatisfy { $0 < $1 })
        let localDays = fires.map { String(ISO8601Local.format($0, in: schedule.zone).prefix(10)) }
        #expect(Set(localDays).count == 365)
        #expect(localDays.first == "2026-01-01")
        #expect(localDays.last == "2026-12-31")
    }

    /// Hours fired in 2026 and the distinct gaps between fires, in seconds.
    static let hourlyCases: [(String, Int, Set<Double>)] = [
        ("Europe/Berlin", 8760, [3600]),
        ("America/New_York", 8760, [3600]),
        ("Asia/Shanghai", 8760, [3600]),
        ("UTC", 8760, [3600]),
        // 02:00 does not exist on 2026-10-04 and no top of the hour repeats on 2026-04-05.
        ("Australia/Lord_Howe", 8759, [3600, 5400]),
    ]

    @Test(arguments: hourlyCases)
    func hourlyScheduleFollowsElapsedTime(_ zoneName: String, _ count: Int, _ gaps: Set<Double>) throws {
        let schedule = try Schedule("0 * * * *", in: zoneName)
        let fires = try schedule.rule.fires(
            after: instant("2025-12-31T23:59:59", in: schedule.zone),
            through: instant("2026-12-31T23:59:59", in: schedule.zone), limit: 10_000)
        #expect(fires.count == count)
        #expect(Set(zip(fires, fires.dropFirst()).map { $1.timeIntervalSince($0) }) == gaps)
    }

    @Test func lordHoweHourlyGapsAreTheTwoChangeovers() throws {
        let schedule = try Schedule("0 * * * *", in: "Australia/Lord_Howe")
        let fires = try schedule.rule.fires(
            after: instant("2026-01-01", in: schedule.zone), through: instant("2026-12-31", in: schedule.zone), limit: 10_000)
        let long = zip(fires, fires.dropFirst()).filter { $1.timeIntervalSince($0) > 3600 }
            .map { ISO8601Local.format($0.1, in: schedule.zone) }
        #expect(long == ["2026-04-05T02:00:00+10:30", "2026-10-04T03:00:00+11:00"])
    }
}

/// Zones without DST and plain UTC behave like the wall clock, across year ends and leap days.
@Suite struct FixedOffsetZoneTests {
    @Test func shanghaiHasNoDSTAdjustments() throws {
        let schedule = try Schedule("30 2 * * *", in: "Asia/Shanghai")
        #expect(try schedule.chain(after: "2026-03-28T00:00:00+08:00", count: 2) == [
            "2026-03-28T02:30:00+08:00", "2026-03-29T02:30:00+08:00",
        ])
        #expect(try Schedule("0 * * * *", in: "Asia/Shanghai").fires(
            after: "2026-11-01T00:30:00+08:00", through: "2026-11-01T03:00:00+08:00"
        ) == ["2026-11-01T01:00:00+08:00", "2026-11-01T02:00:00+08:00", "2026-11-01T03:00:00+08:00"])
    }

    @Test func yearBoundaryInUTC() throws {
        #expect(try Schedule("0 0,12 * * *").chain(after: "2026-12-31T06:00:00Z", count: 3) == [
            "2026-12-31T12:00:00+00:00", "2027-01-01T00:00:00+00:00", "2027-01-01T12:00:00+00:00",
        ])
        #expect(try Schedule("59 59 23 31 12 *").next(after: "2026-06-01T00:00:00Z") == "2026-12-31T23:59:59+00:00")
    }

    @Test func yearBoundaryInAZoneAheadOfUTC() throws {
        // New Year in Shanghai is still 2026 in UTC.
        let schedule = try Schedule("@yearly", in: "Asia/Shanghai")
        #expect(try schedule.next(after: "2026-12-31T15:59:59Z") == "2027-01-01T00:00:00+08:00")
    }

    @Test func leapDayInUTC() throws {
        #expect(try Schedule("0 12 * 2 *").chain(after: "2028-02-28T13:00:00Z", count: 2) == [
            "2028-02-29T12:00:00+00:00", "2029-02-01T12:00:00+00:00",
        ])
    }

    @Test func firesAreComputedInTheRuleZoneNotUTC() throws {
        // 00:30 local in Shanghai on a Monday is Sunday 16:30 UTC.
        let schedule = try Schedule("30 0 * * MON", in: "Asia/Shanghai")
        let fire = try #require(schedule.rule.next(after: instant("2026-01-01T00:00:00Z", in: schedule.zone)))
        #expect(ISO8601Local.format(fire, in: try zoneNamed("UTC")) == "2026-01-04T16:30:00+00:00")
    }
}
