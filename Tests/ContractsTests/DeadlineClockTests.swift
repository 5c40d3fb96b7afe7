import Contracts
import Foundation
import Testing

@Suite struct DeadlineClockTests {
    /// A UTC instant from "2025-01-15T05:00:00Z"-style text.
    private static func utc(_ text: String) throws -> Date {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return try #require(formatter.date(from: text), "bad test instant \(text)")
    }

    private static let berlin6 = DeadlineDefinition(at: "06:00", timezone: "Europe/Berlin")
    private static let farStart = Date(timeIntervalSince1970: 0)

    private static func due(_ deadline: DeadlineDefinition, logical: String, start: Date = farStart) throws -> Date? {
        DeadlineClock.due(deadline, logicalTime: try utc(logical), start: start)
    }

    @Test func atLaterTheSameDay() throws {
        // 05:00 CET → 06:00 CET the same day.
        #expect(try Self.due(Self.berlin6, logical: "2025-01-15T04:00:00Z") == Self.utc("2025-01-15T05:00:00Z"))
    }

    @Test func atIsTheNextDayWhenTheLogicalTimeIsPastIt() throws {
        // 07:00 CET → 06:00 CET the next day.
        #expect(try Self.due(Self.berlin6, logical: "2025-01-15T06:00:00Z") == Self.utc("2025-01-16T05:00:00Z"))
        // 06:00:01 CET is already past.
        #expect(try Self.due(Self.berlin6, logical: "2025-01-15T05:00:01Z") == Self.utc("2025-01-16T05:00:00Z"))
    }

    @Test func atExactlyTheLogicalTimeIsThatTime() throws {
        #expect(try Self.due(Self.berlin6, logical: "2025-01-15T05:00:00Z") == Self.utc("2025-01-15T05:00:00Z"))
    }

    @Test func atFollowsSummerTime() throws {
        // 05:00 CEST → 06:00 CEST = 04:00Z.
        #expect(try Self.due(Self.berlin6, logical: "2025-07-01T03:00:00Z") == Self.utc("2025-07-01T04:00:00Z"))
    }

    @Test func atDependsOnTheLogicalTimeNotTheStart() throws {
        let late = try Self.utc("2025-01-20T12:00:00Z")
        #expect(try Self.due(Self.berlin6, logical: "2025-01-15T04:00:00Z", start: late) == Self.utc("2025-01-15T05:00:00Z"))
    }

    @Test func atWithoutTimeZoneIsUTC() throws {
        let deadline = DeadlineDefinition(at: "06:00")
        #expect(try Self.due(deadline, logical: "2025-01-15T04:00:00Z") == Self.utc("2025-01-15T06:00:00Z"))
        #expect(try Self.due(deadline, logical: "2025-01-15T07:00:00Z") == Self.utc("2025-01-16T06:00:00Z"))
    }

    @Test func springForwardDay() throws {
        // 2025-03-30 in Berlin: 02:00 CET jumps to 03:00 CEST (01:00Z).
        // 06:00 that day is CEST: 04:00Z, 23 hours after the previous day's 05:00Z.
        #expect(try Self.due(Self.berlin6, logical: "2025-03-30T00:00:00Z") == Self.utc("2025-03-30T04:00:00Z"))
        #expect(try Self.due(Self.berlin6, logical: "2025-03-29T06:00:00Z") == Self.utc("2025-03-30T04:00:00Z"))
        // 02:30 does not exist that day: the deadline is the end of the gap, 03:00 CEST.
        let inGap = DeadlineDefinition(at: "02:30", timezone: "Europe/Berlin")
        #expect(try Self.due(inGap, logical: "2025-03-29T23:30:00Z") == Self.utc("2025-03-30T01:00:00Z"))
    }

    @Test func fallBackDay() throws {
        // 2025-10-26 in Berlin: 03:00 CEST falls back to 02:00 CET (01:00Z); 02:30 happens twice.
        #expect(try Self.due(Self.berlin6, logical: "2025-10-26T00:00:00Z") == Self.utc("2025-10-26T05:00:00Z"))
        let repeated = DeadlineDefinition(at: "02:30", timezone: "Europe/Berlin")
        // The first 02:30 (CEST, 00:30Z) counts.
        #expect(try Self.due(repeated, logical: "2025-10-25T23:00:00Z") == Self.utc("2025-10-26T00:30:00Z"))
        // Past the first one, the deadline is the next day's: the repeated 02:30 is not a new one.
        #expect(try Self.due(repeated, logical: "2025-10-26T00:45:00Z") == Self.utc("2025-10-27T01:30:00Z"))
    }

    @Test func afterCountsFromTheLogicalTimeByDefault() throws {
        let start = try Self.utc("2025-01-15T09:00:00Z")
        let deadline = DeadlineDefinition(after: "2h30m")
        #expect(try Self.due(deadline, logical: "2025-01-15T04:00:00Z", start: start) == Self.utc("2025-01-15T06:30:00Z"))
        let explicit = DeadlineDefinition(after: "2h30m", from: .logicalTime)
        #expect(try Self.due(explicit, logical: "2025-01-15T04:00:00Z", start: start) == Self.utc("2025-01-15T06:30:00Z"))
    }

    @Test func afterCountsFromTheStartWhenAsked() throws {
        let start = try Self.utc("2025-01-15T09:00:00Z")
        let deadline = DeadlineDefinition(after: "45m", from: .start)
        #expect(try Self.due(deadline, logical: "2025-01-15T04:00:00Z", start: start) == Self.utc("2025-01-15T09:45:00Z"))
    }

    @Test func afterIsExactAcrossDST() throws {
        // Durations are elapsed time: 24h after 12:00 CET on the day before the change is 13:00 CEST.
        let deadline = DeadlineDefinition(after: "1d")
        #expect(try Self.due(deadline, logical: "2025-03-29T11:00:00Z") == Self.utc("2025-03-30T11:00:00Z"))
    }

    @Test func malformedHandBuiltDeadlinesHaveNoDueTime() throws {
        #expect(try Self.due(DeadlineDefinition(at: "6am"), logical: "2025-01-15T04:00:00Z") == nil)
        #expect(try Self.due(DeadlineDefinition(after: "soon"), logical: "2025-01-15T04:00:00Z") == nil)
        #expect(try Self.due(DeadlineDefinition(), logical: "2025-01-15T04:00:00Z") == nil)
    }

    @Test(arguments: [("00:00", 0, 0), ("06:00", 6, 0), ("23:59", 23, 59), ("09:05", 9, 5)])
    func wallTimeParses(text: String, hour: Int, minute: Int) throws {
        let time = try #require(DeadlineClock.wallTime(text))
        #expect(time.hour == hour && time.minute == minute)
    }

    @Test(arguments: ["6:00", "24:00", "06:60", "0600", "06:00:00", "", ":", "ab:cd", "-1:00", "06:-1", " 6:00", "06 :00"])
    func wallTimeRejects(text: String) {
        #expect(DeadlineClock.wallTime(text) == nil)
    }

    /// `Int("+1")` is 1: signs must not pass for digits.
    @Test(arguments: ["+1:00", "06:+5", "+0:+0"]) func wallTimeRejectsSigns(text: String) {
        #expect(DeadlineClock.wallTime(text) == nil)
    }

    /// The first wall-clock match at or after the logical time, also when the logical time has
    /// a fraction of a second past the wall time (a manual run at 06:00:00.300).
    @Test func atIsNeverBeforeTheLogicalTime() throws {
        let logical = try Self.utc("2025-01-15T05:00:00Z").addingTimeInterval(0.3)
        let due = try #require(DeadlineClock.due(Self.berlin6, logicalTime: logical, start: logical))
        #expect(due >= logical)
    }
}
