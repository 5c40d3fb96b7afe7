import Testing
@testable import Scheduling

/// Business days, holiday exclusions, explicit date lists and validity windows.
@Suite struct CalendarFilterTests {
    private let holidays = ["2026-01-01", "2026-12-25"]

    private func dates(_ fires: [String]) -> [String] {
        fires.map { String($0.prefix(10)) }
    }

    // MARK: - Business days

    @Test func firstBusinessDaySkipsWeekendsAndHolidays() throws {
        let schedule = try Schedule("0 9 * * *", in: "Europe/Berlin", excluded: holidays, businessDay: 1)
        #expect(dates(try schedule.chain(after: "2025-12-31T12:00:00+01:00", count: 12)) == [
            "2026-01-02", "2026-02-02", "2026-03-02", "2026-04-01", "2026-05-01", "2026-06-01",
            "2026-07-01", "2026-08-03", "2026-09-01", "2026-10-01", "2026-11-02", "2026-12-01",
        ])
        #expect(try schedule.next(after: "2025-12-31T12:00:00+01:00") == "2026-01-02T09:00:00+01:00")
    }

    @Test func lastBusinessDay() throws {
        let schedule = try Schedule("0 17 * * *", in: "Europe/Berlin", excluded: holidays, businessDay: -1)
        #expect(dates(try schedule.chain(after: "2026-01-01T00:00:00+01:00", count: 12)) == [
            "2026-01-30", "2026-02-27", "2026-03-31", "2026-04-30", "2026-05-29", "2026-06-30",
            "2026-07-31", "2026-08-31", "2026-09-30", "2026-10-30", "2026-11-30", "2026-12-31",
        ])
        #expect(try schedule.next(after: "2026-12-01T00:00:00+01:00") == "2026-12-31T17:00:00+01:00")
    }

    @Test func lastBusinessDayMovesBackWhenTheLastIsAHoliday() throws {
        let schedule = try Schedule("0 17 * * *", in: "Europe/Berlin", excluded: holidays + ["2026-12-31"], businessDay: -1)
        #expect(try schedule.next(after: "2026-12-01T00:00:00+01:00") == "2026-12-30T17:00:00+01:00")
    }

    @Test func secondLastBusinessDay() throws {
        let schedule = try Schedule("0 17 * * *", in: "Europe/Berlin", excluded: holidays, businessDay: -2)
        #expect(dates(try schedule.chain(after: "2026-01-01T00:00:00+01:00", count: 12)) == [
            "2026-01-29", "2026-02-26", "2026-03-30", "2026-04-29", "2026-05-28", "2026-06-29",
            "2026-07-30", "2026-08-28", "2026-09-29", "2026-10-29", "2026-11-27", "2026-12-30",
        ])
    }

    @Test func businessDayCombinesWithTheCronDayFields() throws {
        // Only months whose first business day is a Monday.
        let schedule = try Schedule("0 9 * * MON", excluded: holidays, businessDay: 1)
        #expect(dates(try schedule.chain(after: "2026-01-01T00:00:00Z", count: 5)) == [
            "2026-02-02", "2026-03-02", "2026-06-01", "2026-08-03", "2026-11-02",
        ])
    }

    @Test func twentyThirdBusinessDayExistsOnlyInLongMonths() throws {
        let schedule = try Schedule("0 9 * * *", businessDay: 23)
        #expect(dates(try schedule.chain(after: "2026-01-01T00:00:00Z", count: 2)) == ["2026-07-31", "2026-12-31"])
        #expect(dates(try Schedule("0 9 * * *", businessDay: -23).chain(after: "2026-01-01T00:00:00Z", count: 1))
            == ["2026-07-01"])
    }

    @Test(arguments: [0, 24, -24, 100])
    func outOfRangeBusinessDayNeverFires(_ number: Int) throws {
        #expect(try Schedule("0 9 * * *", businessDay: number).next(after: "2026-01-01T00:00:00Z") == nil)
    }

    // MARK: - Excluded and only dates

    @Test func excludedDatesNeverFire() throws {
        let schedule = try Schedule("0 8 * * *", in: "America/New_York", excluded: ["2026-12-25", "2026-12-26"])
        #expect(try schedule.chain(after: "2026-12-24T12:00:00-05:00", count: 2) == [
            "2026-12-27T08:00:00-05:00", "2026-12-28T08:00:00-05:00",
        ])
    }

    @Test func excludedDatesAreLocalDates() throws {
        // 2026-12-25 08:00 in Shanghai is 2026-12-25T00:00Z; the exclusion is read in Shanghai.
        let schedule = try Schedule("0 8 * * *", in: "Asia/Shanghai", excluded: ["2026-12-25"])
        #expect(try schedule.next(after: "2026-12-24T12:00:00+08:00") == "2026-12-26T08:00:00+08:00")
    }

    @Test func onlyDatesRestrictFires() throws {
        let schedule = try Schedule("0 8 * * *", only: ["2027-01-01", "2026-05-01", "2026-07-04"])
        #expect(try schedule.chain(after: "2026-01-01T00:00:00Z", count: 5) == [
            "2026-05-01T08:00:00+00:00", "2026-07-04T08:00:00+00:00", "2027-01-01T08:00:00+00:00",
        ])
    }

    @Test func onlyDatesStillHonourCronAndExclusions() throws {
        // 2026-07-04 is a Saturday; 2026-05-01 is excluded.
        let schedule = try Schedule(
            "0 8 * * MON-FRI", excluded: ["2026-05-01"], only: ["2026-05-01", "2026-07-04", "2026-07-06"])
        #expect(try schedule.chain(after: "2026-01-01T00:00:00Z", count: 5) == ["2026-07-06T08:00:00+00:00"])
        #expect(try Schedule("0 8 * * *", only: []).next(after: "2026-01-01T00:00:00Z") == nil)
    }

    @Test func onlyDatesIncludeTheDayOfAfter() throws {
        let schedule = try Schedule("0 8,20 * * *", only: ["2026-05-01"])
        #expect(try schedule.next(after: "2026-05-01T12:00:00Z") == "2026-05-01T20:00:00+00:00")
    }

    // MARK: - Start and end

    @Test func startIsInclusive() throws {
        let schedule = try Schedule("0 * * * *", start: "2026-06-01T10:00:00Z")
        #expect(try schedule.next(after: "2026-01-01T00:00:00Z") == "2026-06-01T10:00:00+00:00")
        #expect(try schedule.next(after: "2026-06-01T10:00:00Z") == "2026-06-01T11:00:00+00:00")
        #expect(try Schedule("0 * * * *", start: "2026-06-01T10:00:01Z").next(after: "2026-01-01T00:00:00Z")
            == "2026-06-01T11:00:00+00:00")
    }

    @Test func endIsInclusive() throws {
        let schedule = try Schedule("0 * * * *", end: "2026-06-01T10:00:00Z")
        #expect(try schedule.chain(after: "2026-06-01T08:30:00Z", count: 5) == [
            "2026-06-01T09:00:00+00:00", "2026-06-01T10:00:00+00:00",
        ])
        #expect(try schedule.next(after: "2026-06-01T10:00:00Z") == nil)
        #expect(try schedule.next(after: "2027-01-01T00:00:00Z") == nil)
    }

    @Test func startAfterEndNeverFires() throws {
        let schedule = try Schedule("* * * * *", start: "2026-06-02T00:00:00Z", end: "2026-06-01T00:00:00Z")
        #expect(try schedule.next(after: "2026-01-01T00:00:00Z") == nil)
    }

    @Test func windowBoundsApplyToFires() throws {
        let schedule = try Schedule("0 0 * * *", start: "2026-03-03T00:00:00Z", end: "2026-03-05T00:00:00Z")
        #expect(try schedule.fires(after: "2026-01-01T00:00:00Z", through: "2026-12-31T00:00:00Z", limit: 100) == [
            "2026-03-03T00:00:00+00:00", "2026-03-04T00:00:00+00:00", "2026-03-05T00:00:00+00:00",
        ])
    }

    // MARK: - fires(limit:)

    @Test func firesStopsAtTheLimit() throws {
        let schedule = try Schedule("0 0 * * *")
        #expect(try schedule.fires(after: "2026-01-01T00:00:00Z", through: "2027-01-01T00:00:00Z", limit: 3) == [
            "2026-01-02T00:00:00+00:00", "2026-01-03T00:00:00+00:00", "2026-01-04T00:00:00+00:00",
        ])
        #expect(try schedule.fires(after: "2026-01-01T00:00:00Z", through: "2027-01-01T00:00:00Z", limit: 0) == [])
        #expect(try schedule.fires(after: "2026-01-01T00:00:00Z", through: "2027-01-01T00:00:00Z", limit: -1) == [])
    }

    @Test func firesIncludesThroughButNotAfter() throws {
        let schedule = try Schedule("0 0 * * *")
        #expect(try schedule.fires(after: "2026-01-01T00:00:00Z", through: "2026-01-03T00:00:00Z", limit: 10) == [
            "2026-01-02T00:00:00+00:00", "2026-01-03T00:00:00+00:00",
        ])
        #expect(try schedule.fires(after: "2026-01-03T00:00:00Z", through: "2026-01-01T00:00:00Z", limit: 10) == [])
    }

    @Test func firesHonoursTheRuleEndBeforeThrough() throws {
        let schedule = try Schedule("0 0 * * *", end: "2026-01-02T12:00:00Z")
        #expect(try schedule.fires(after: "2026-01-01T00:00:00Z", through: "2026-02-01T00:00:00Z", limit: 10) == [
            "2026-01-02T00:00:00+00:00",
        ])
    }
}
