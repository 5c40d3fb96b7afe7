import Testing
@testable import Scheduling

/// Quartz day extensions and the Vixie either/both rule, checked against calendars worked out
/// independently (2026: January 1st is a Thursday).
@Suite struct CronDayRuleTests {
    /// The month-day ("MM-DD") of each fire in 2026 (or `year`).
    private func days(_ cron: String, year: Int = 2026, count: Int = 12) throws -> [String] {
        try Schedule(cron).chain(after: "\(year - 1)-12-31T12:00:00Z", count: count)
            .map { String($0.dropFirst(5).prefix(5)) }
    }

    @Test func lastDayOfEveryMonth() throws {
        #expect(try days("0 0 L * *") == [
            "01-31", "02-28", "03-31", "04-30", "05-31", "06-30", "07-31", "08-31", "09-30", "10-31", "11-30", "12-31",
        ])
        #expect(try days("0 0 L 2 *", year: 2028, count: 1) == ["02-29"])
    }

    @Test func daysBeforeTheLastDay() throws {
        #expect(try days("0 0 L-2 * *") == [
            "01-29", "02-26", "03-29", "04-28", "05-29", "06-28", "07-29", "08-29", "09-28", "10-29", "11-28", "12-29",
        ])
        #expect(try days("0 0 L-2 2 *", year: 2028, count: 1) == ["02-27"])
    }

    @Test func nearestWeekdayToThe15th() throws {
        // Feb, Mar, Nov 15th are Sundays (-> Monday 16th); Aug 15th is a Saturday (-> Friday 14th).
        #expect(try days("0 0 15W * *") == [
            "01-15", "02-16", "03-16", "04-15", "05-15", "06-15", "07-15", "08-14", "09-15", "10-15", "11-16", "12-15",
        ])
    }

    @Test func nearestWeekdayToThe1stNeverLeavesTheMonth() throws {
        // 2026-08-01 is a Saturday: Monday the 3rd, not Friday July 31st.
        #expect(try days("0 0 1W * *") == [
            "01-01", "02-02", "03-02", "04-01", "05-01", "06-01", "07-01", "08-03", "09-01", "10-01", "11-02", "12-01",
        ])
    }

    @Test func nearestWeekdayToThe31stNeverLeavesTheMonth() throws {
        // 2026-05-31 is a Sunday: Friday the 29th. 2026-01-31 is a Saturday: Friday the 30th.
        // Months without a 31st do not fire.
        #expect(try days("0 0 31W * *", count: 7) == ["01-30", "03-31", "05-29", "07-31", "08-31", "10-30", "12-31"])
    }

    @Test func lastWeekdayOfTheMonth() throws {
        #expect(try days("0 0 LW * *") == [
            "01-30", "02-27", "03-31", "04-30", "05-29", "06-30", "07-31", "08-31", "09-30", "10-30", "11-30", "12-31",
        ])
    }

    @Test func lastFridayOfTheMonth() throws {
        let expected = [
            "01-30", "02-27", "03-27", "04-24", "05-29", "06-26", "07-31", "08-28", "09-25", "10-30", "11-27", "12-25",
        ]
        #expect(try days("0 0 * * 5L") == expected)
        #expect(try days("0 0 * * friL") == expected)
    }

    @Test func secondMondayOfTheMonth() throws {
        let expected = [
            "01-12", "02-09", "03-09", "04-13", "05-11", "06-08", "07-13", "08-10", "09-14", "10-12", "11-09", "12-14",
        ]
        #expect(try days("0 0 * * 1#2") == expected)
        #expect(try days("0 0 * * MON#2") == expected)
    }

    @Test func fifthTuesdaySkipsMonthsWithoutOne() throws {
        #expect(try Schedule("0 0 * * 2#5").chain(after: "2026-01-01T00:00:00Z", count: 8).map { String($0.prefix(10)) } == [
            "2026-03-31", "2026-06-30", "2026-09-29", "2026-12-29", "2027-03-30", "2027-06-29", "2027-08-31", "2027-11-30",
        ])
    }

    @Test func specialFormsCombineInLists() throws {
        #expect(try days("0 0 1,15W,L 1,2 *", count: 6) == ["01-01", "01-15", "01-31", "02-01", "02-16", "02-28"])
        #expect(try days("0 0 * 1 1#1,5L", count: 2) == ["01-05", "01-30"])
    }

    @Test func lastDayInLeapAndNonLeapFebruaries() throws {
        #expect(try Schedule("0 0 L 2 *").chain(after: "2026-01-01T00:00:00Z", count: 4) == [
            "2026-02-28T00:00:00+00:00", "2027-02-28T00:00:00+00:00",
            "2028-02-29T00:00:00+00:00", "2029-02-28T00:00:00+00:00",
        ])
        #expect(try Schedule("0 0 LW 2 *").chain(after: "2027-12-31T00:00:00Z", count: 1) == ["2028-02-29T00:00:00+00:00"])
        #expect(try Schedule("0 0 * 2 2L").chain(after: "2027-12-31T00:00:00Z", count: 1) == ["2028-02-29T00:00:00+00:00"])
        #expect(try Schedule("0 0 * 2 2#5").chain(after: "2026-01-01T00:00:00Z", count: 1) == ["2028-02-29T00:00:00+00:00"])
    }

    @Test func february29thFiresOnlyInLeapYears() throws {
        #expect(try Schedule("0 0 29 2 *").chain(after: "2026-01-01T00:00:00Z", count: 3) == [
            "2028-02-29T00:00:00+00:00", "2032-02-29T00:00:00+00:00", "2036-02-29T00:00:00+00:00",
        ])
        // 2100 is not a leap year.
        #expect(try Schedule("0 0 29 2 *").next(after: "2096-03-01T00:00:00Z") == "2104-02-29T00:00:00+00:00")
    }

    @Test func impossibleDatesNeverFire() throws {
        #expect(try Schedule("0 0 30 2 *").next(after: "2026-01-01T00:00:00Z") == nil)
        #expect(try Schedule("0 0 31 4,6,9,11 *").next(after: "2026-01-01T00:00:00Z") == nil)
        #expect(try Schedule("0 0 31W 2 *").next(after: "2026-01-01T00:00:00Z") == nil)
    }

    @Test func the31stSkipsShortMonths() throws {
        #expect(try days("0 0 31 * *", count: 7) == ["01-31", "03-31", "05-31", "07-31", "08-31", "10-31", "12-31"])
    }

    // MARK: - Vixie either/both rule

    @Test func bothDayFieldsRestrictedFireOnEither() throws {
        #expect(try Schedule("0 0 13 * 5").chain(after: "2026-01-01T00:00:00Z", count: 10).map { String($0.prefix(10)) } == [
            "2026-01-02", "2026-01-09", "2026-01-13", "2026-01-16", "2026-01-23",
            "2026-01-30", "2026-02-06", "2026-02-13", "2026-02-20", "2026-02-27",
        ])
        // The classic surprise: "1-7 * MON" is the first week OR every Monday, not the first Monday.
        #expect(try days("0 0 1-7 * MON", count: 10) == [
            "01-01", "01-02", "01-03", "01-04", "01-05", "01-06", "01-07", "01-12", "01-19", "01-26",
        ])
    }

    @Test func aDayFieldStartingWithAStarMakesBothRequired() throws {
        // */2 starts with '*', so odd days that are Fridays only.
        #expect(try days("0 0 */2 * 5", count: 4) == ["01-09", "01-23", "02-13", "02-27"])
        #expect(try days("0 0 13 * *", count: 2) == ["01-13", "02-13"])
        #expect(try days("0 0 * * 5", count: 2) == ["01-02", "01-09"])
    }

    @Test func quartzExtensionsAlsoFollowTheEitherRule() throws {
        // Last day of the month OR the first Monday.
        #expect(try days("0 0 L * 1#1", count: 4) == ["01-05", "01-31", "02-02", "02-28"])
    }
}
