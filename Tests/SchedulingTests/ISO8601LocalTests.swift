import Foundation
import Testing
@testable import Scheduling

@Suite struct ISO8601LocalTests {
    private func utc(_ text: String) throws -> Date {
        try instant(text, in: try zoneNamed("UTC"))
    }

    @Test(arguments: [
        ("Europe/Berlin", "2026-01-15T11:00:00Z", "2026-01-15T12:00:00+01:00"),
        ("Europe/Berlin", "2026-07-15T10:00:00Z", "2026-07-15T12:00:00+02:00"),
        ("America/New_York", "2026-01-15T17:00:00Z", "2026-01-15T12:00:00-05:00"),
        ("Australia/Lord_Howe", "2026-07-15T01:30:00Z", "2026-07-15T12:00:00+10:30"),
        ("Asia/Kathmandu", "2026-07-15T06:15:00Z", "2026-07-15T12:00:00+05:45"),
        ("America/St_Johns", "2026-01-15T15:30:00Z", "2026-01-15T12:00:00-03:30"),
        ("UTC", "2026-07-15T12:00:00Z", "2026-07-15T12:00:00+00:00"),
        ("Etc/UTC", "1969-12-31T23:59:59Z", "1969-12-31T23:59:59+00:00"),
    ])
    func formatsWithTheZoneOffset(_ zoneName: String, _ utcText: String, _ expected: String) throws {
        #expect(ISO8601Local.format(try utc(utcText), in: try zoneNamed(zoneName)) == expected)
    }

    @Test func formatDropsFractionalSeconds() throws {
        let zone = try zoneNamed("UTC")
        #expect(ISO8601Local.format(try utc("2026-01-01T00:00:00Z").addingTimeInterval(0.999), in: zone)
            == "2026-01-01T00:00:00+00:00")
        #expect(ISO8601Local.format(Date(timeIntervalSince1970: -0.5), in: zone) == "1969-12-31T23:59:59+00:00")
    }

    @Test func localMeanTimeOffsetsKeepTheirSeconds() throws {
        let berlin = try zoneNamed("Europe/Berlin")
        let text = ISO8601Local.format(try utc("1850-06-01T12:00:00Z"), in: berlin)
        #expect(text == "1850-06-01T12:53:28+00:53:28")
        #expect(ISO8601Local.parse(text, in: berlin) == (try utc("1850-06-01T12:00:00Z")))
    }

    @Test func parsesExplicitOffsetsRegardlessOfZone() throws {
        let newYork = try zoneNamed("America/New_York")
        let expected = try utc("2026-03-29T01:00:00Z")
        #expect(ISO8601Local.parse("2026-03-29T03:00:00+02:00", in: newYork) == expected)
        #expect(ISO8601Local.parse("2026-03-29T01:00:00Z", in: newYork) == expected)
        #expect(ISO8601Local.parse("2026-03-28T21:00-04:00", in: newYork) == expected)
    }

    @Test func parsesLocalTimesInTheZone() throws {
        let berlin = try zoneNamed("Europe/Berlin")
        let expected = try utc("2026-07-01T06:30:00Z")
        #expect(ISO8601Local.parse("2026-07-01T08:30:00", in: berlin) == expected)
        #expect(ISO8601Local.parse("2026-07-01T08:30", in: berlin) == expected)
        #expect(ISO8601Local.parse("2026-07-01", in: berlin) == (try utc("2026-06-30T22:00:00Z")))
    }

    @Test func localTimeInAGapIsTheEndOfTheGap() throws {
        let berlin = try zoneNamed("Europe/Berlin")
        let parsed = try #require(ISO8601Local.parse("2026-03-29T02:30:00", in: berlin))
        #expect(ISO8601Local.format(parsed, in: berlin) == "2026-03-29T03:00:00+02:00")
        let lordHowe = try zoneNamed("Australia/Lord_Howe")
        let shifted = try #require(ISO8601Local.parse("2026-10-04T02:10", in: lordHowe))
        #expect(ISO8601Local.format(shifted, in: lordHowe) == "2026-10-04T02:30:00+11:00")
    }

    @Test func localTimeInAnOverlapIsTheFirstOccurrence() throws {
        let berlin = try zoneNamed("Europe/Berlin")
        let parsed = try #require(ISO8601Local.parse("2026-10-25T02:30", in: berlin))
        #expect(ISO8601Local.format(parsed, in: berlin) == "2026-10-25T02:30:00+02:00")
        let explicit = try #require(ISO8601Local.parse("2026-10-25T02:30:00+01:00", in: berlin))
        #expect(ISO8601Local.format(explicit, in: berlin) == "2026-10-25T02:30:00+01:00")
    }

    @Test(arguments: [
        "", "garbage", "2026-02-30", "2026-3-29", "2026-03-29T", "2026-03-29T24:00", "2026-03-29T03:60",
        "2026-03-29T3:00", "2026-03-29 03:00", "2026-03-29T03:00:60", "2026-03-29T03:00:00+2",
        "2026-03-29T03:00:00+0200", "2026-03-29T03:00:00+02:00x", "2026-03-29T03:00:00.5Z", "2026-03-29T03",
        "2026-03-29T03:00:00Z ", "2026-03-29T03:00:00+24:00",
    ])
    func rejectsMalformedText(_ text: String) throws {
        #expect(ISO8601Local.parse(text, in: try zoneNamed("UTC")) == nil)
    }

    @Test(arguments: ["Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "Asia/Shanghai", "America/Santiago", "UTC"])
    func everyHalfHourOfTheYearRoundTrips(_ zoneName: String) throws {
        let zone = try zoneNamed(zoneName)
        let start = try utc("2026-01-01T00:00:00Z")
        let failures = (0..<(365 * 48)).compactMap { step -> String? in
            let date = start.addingTimeInterval(Double(step) * 1800)
            let text = ISO8601Local.format(date, in: zone)
            return ISO8601Local.parse(text, in: zone) == date ? nil : text
        }
        #expect(failures.isEmpty)
    }
}
