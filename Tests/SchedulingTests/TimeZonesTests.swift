import Testing
@testable import Scheduling

@Suite struct TimeZonesTests {
    @Test(arguments: ["Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "Asia/Shanghai", "UTC", "Etc/UTC"])
    func acceptsIANANames(_ name: String) {
        #expect(TimeZones.named(name) != nil)
    }

    @Test(arguments: ["CEST", "CET", "EST", "PST", "GMT+2", "+02:00", "Europe/Atlantis", "europe/berlin", "", "Local"])
    func rejectsAbbreviationsAndUnknownNames(_ name: String) {
        #expect(TimeZones.named(name) == nil)
    }

    @Test func returnsTheNamedZone() throws {
        #expect(TimeZones.named("Europe/Berlin")?.identifier == "Europe/Berlin")
        #expect(TimeZones.named("UTC")?.secondsFromGMT() == 0)
    }
}

/// The wall-time -> instant mapping the DST policy rests on.
@Suite struct WallClockTests {
    private func wall(_ date: String, _ secondOfDay: Int) throws -> Int {
        try localDate(date).dayNumber * 86_400 + secondOfDay
    }

    @Test func mapsOrdinaryGapAndOverlapWallTimes() throws {
        let clock = WallClock(zone: try zoneNamed("Europe/Berlin"))
        let transition = try instant("2026-03-29T01:00:00Z", in: clock.zone)
        let springWall = try wall("2026-03-29", 9000)  // 02:30
        #expect(clock.instants(ofWall: springWall).isEmpty)
        #expect(clock.gapEnd(ofWall: springWall) == Int(transition.timeIntervalSince1970))
        #expect(clock.gapEnd(ofWall: try wall("2026-03-29", 7200)) == Int(transition.timeIntervalSince1970))
        let autumnWall = try wall("2026-10-25", 9000)
        let first = try instant("2026-10-25T00:30:00Z", in: clock.zone).timeIntervalSince1970
        #expect(clock.instants(ofWall: autumnWall) == [Int(first), Int(first) + 3600])
        #expect(clock.instants(ofWall: try wall("2026-10-25", 10800)).count == 1)  // 03:00 is after the overlap
        #expect(clock.gapEnd(ofWall: try wall("2026-06-01", 9000)) == nil)
    }

    @Test func gapWallTimesFireOnlyForFixedTimeSchedules() throws {
        let clock = WallClock(zone: try zoneNamed("America/New_York"))
        let gapWall = try wall("2026-03-08", 9000)
        #expect(clock.fireInstants(ofWall: gapWall, fixedTime: false).isEmpty)
        #expect(clock.fireInstants(ofWall: gapWall, fixedTime: true).count == 1)
        let overlapWall = try wall("2026-11-01", 5400)
        #expect(clock.fireInstants(ofWall: overlapWall, fixedTime: false).count == 2)
        #expect(clock.fireInstants(ofWall: overlapWall, fixedTime: true).count == 1)
    }
}
