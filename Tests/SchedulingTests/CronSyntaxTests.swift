import Testing
@testable import Scheduling

/// Each syntax feature, checked by the exact fires it produces (UTC, so no DST is involved).
@Suite struct CronSyntaxTests {
    private func fires(_ cron: String, after: String = "2026-01-01T00:00:00Z", count: Int) throws -> [String] {
        try Schedule(cron).chain(after: after, count: count)
    }

    @Test func stepOverWildcard() throws {
        #expect(try fires("*/15 * * * *", after: "2026-01-01T00:07:00Z", count: 4) == [
            "2026-01-01T00:15:00+00:00", "2026-01-01T00:30:00+00:00",
            "2026-01-01T00:45:00+00:00", "2026-01-01T01:00:00+00:00",
        ])
    }

    @Test func listsAndRanges() throws {
        #expect(try fires("5,10-12 * * * *", count: 5) == [
            "2026-01-01T00:05:00+00:00", "2026-01-01T00:10:00+00:00", "2026-01-01T00:11:00+00:00",
            "2026-01-01T00:12:00+00:00", "2026-01-01T01:05:00+00:00",
        ])
    }

    @Test func rangeWithStep() throws {
        #expect(try fires("10-30/10 * * * *", count: 4) == [
            "2026-01-01T00:10:00+00:00", "2026-01-01T00:20:00+00:00",
            "2026-01-01T00:30:00+00:00", "2026-01-01T01:10:00+00:00",
        ])
    }

    @Test func startWithStepRunsToTheFieldMaximum() throws {
        #expect(try fires("50/5 * * * *", count: 3) == [
            "2026-01-01T00:50:00+00:00", "2026-01-01T00:55:00+00:00", "2026-01-01T01:50:00+00:00",
        ])
        #expect(try fires("0 20/2 * * *", count: 3) == [
            "2026-01-01T20:00:00+00:00", "2026-01-01T22:00:00+00:00", "2026-01-02T20:00:00+00:00",
        ])
    }

    @Test func stepLargerThanTheFieldKeepsOnlyTheStart() throws {
        #expect(try fires("*/90 * * * *", count: 2) == ["2026-01-01T01:00:00+00:00", "2026-01-01T02:00:00+00:00"])
    }

    @Test func monthNamesAreCaseInsensitiveAndWorkInRanges() throws {
        #expect(try fires("0 0 1 jan,Jul *", count: 3) == [
            "2026-07-01T00:00:00+00:00", "2027-01-01T00:00:00+00:00", "2027-07-01T00:00:00+00:00",
        ])
        #expect(try fires("0 0 1 FEB-apr *", count: 4) == [
            "2026-02-01T00:00:00+00:00", "2026-03-01T00:00:00+00:00",
            "2026-04-01T00:00:00+00:00", "2027-02-01T00:00:00+00:00",
        ])
    }

    @Test func weekdayNamesInRanges() throws {
        // 2026-01-01 is a Thursday.
        #expect(try fires("0 9 * * mon-FRI", count: 4) == [
            "2026-01-01T09:00:00+00:00", "2026-01-02T09:00:00+00:00",
            "2026-01-05T09:00:00+00:00", "2026-01-06T09:00:00+00:00",
        ])
        #expect(try fires("0 9 * * SAT,sun", count: 3) == [
            "2026-01-03T09:00:00+00:00", "2026-01-04T09:00:00+00:00", "2026-01-10T09:00:00+00:00",
        ])
    }

    @Test func sundayIsBothZeroAndSeven() throws {
        let sundays = ["2026-01-04T00:00:00+00:00", "2026-01-11T00:00:00+00:00"]
        #expect(try fires("0 0 * * 0", count: 2) == sundays)
        #expect(try fires("0 0 * * 7", count: 2) == sundays)
        #expect(try fires("0 0 * * 5-7", count: 4) == [
            "2026-01-02T00:00:00+00:00", "2026-01-03T00:00:00+00:00",
            "2026-01-04T00:00:00+00:00", "2026-01-09T00:00:00+00:00",
        ])
    }

    @Test func weekdayStepsStayWithinTheWeek() throws {
        // 1/2 = Mon, Wed, Fri; */2 = Sun, Tue, Thu, Sat.
        #expect(try fires("0 0 * * 1/2", count: 4) == [
            "2026-01-02T00:00:00+00:00", "2026-01-05T00:00:00+00:00",
            "2026-01-07T00:00:00+00:00", "2026-01-09T00:00:00+00:00",
        ])
        #expect(try fires("0 0 * * */2", count: 4) == [
            "2026-01-03T00:00:00+00:00", "2026-01-04T00:00:00+00:00",
            "2026-01-06T00:00:00+00:00", "2026-01-08T00:00:00+00:00",
        ])
    }

    @Test func secondsField() throws {
        #expect(try fires("*/20 * * * * *", count: 4) == [
            "2026-01-01T00:00:20+00:00", "2026-01-01T00:00:40+00:00",
            "2026-01-01T00:01:00+00:00", "2026-01-01T00:01:20+00:00",
        ])
        #expect(try fires("30 0 12 * * *", count: 2) == ["2026-01-01T12:00:30+00:00", "2026-01-02T12:00:30+00:00"])
    }

    @Test func everySecondAdvancesOneSecondFromAFractionalInstant() throws {
        let schedule = try Schedule("* * * * * *")
        let after = try instant("2026-01-01T10:00:00Z", in: schedule.zone).addingTimeInterval(0.5)
        let fire = try #require(schedule.rule.next(after: after))
        #expect(ISO8601Local.format(fire, in: schedule.zone) == "2026-01-01T10:00:01+00:00")
    }

    @Test func fiveFieldExpressionsFireAtSecondZero() throws {
        #expect(try fires("* * * * *", after: "2026-01-01T00:00:30Z", count: 2) == [
            "2026-01-01T00:01:00+00:00", "2026-01-01T00:02:00+00:00",
        ])
    }

    @Test func questionMarkInADayFieldIsUnrestricted() throws {
        // Not the Vixie OR: ? makes day-of-month unrestricted, so only Mondays fire.
        #expect(try fires("0 0 ? * MON", count: 2) == ["2026-01-05T00:00:00+00:00", "2026-01-12T00:00:00+00:00"])
        #expect(try fires("0 0 1 * ?", count: 2) == ["2026-02-01T00:00:00+00:00", "2026-03-01T00:00:00+00:00"])
    }

    @Test func fieldsMaySeparateByTabsAndRunsOfSpaces() throws {
        #expect(try fires("0\t12   *  * *", count: 1) == ["2026-01-01T12:00:00+00:00"])
    }

    @Test(arguments: [
        ("@yearly", "0 0 1 1 *"), ("@annually", "0 0 1 1 *"), ("@monthly", "0 0 1 * *"),
        ("@weekly", "0 0 * * 0"), ("@daily", "0 0 * * *"), ("@midnight", "0 0 * * *"),
        ("@hourly", "0 * * * *"), ("@DAILY", "0 0 * * *"),
    ])
    func macroFiresLikeItsExpansion(_ macro: String, _ expansion: String) throws {
        let after = "2026-05-17T13:45:00Z"
        #expect(try fires(macro, after: after, count: 3) == fires(expansion, after: after, count: 3))
        #expect(try fires(macro, after: after, count: 3).count == 3)
    }

    @Test func macrosFireWhereExpected() throws {
        #expect(try fires("@weekly", count: 1) == ["2026-01-04T00:00:00+00:00"])
        #expect(try fires("@yearly", count: 1) == ["2027-01-01T00:00:00+00:00"])
        #expect(try fires("@hourly", after: "2026-01-01T00:00:01Z", count: 1) == ["2026-01-01T01:00:00+00:00"])
    }

    @Test func descriptionIsTheTrimmedSource() throws {
        #expect(try CronExpression.parse("  0 0 * * mon \n").description == "0 0 * * mon")
        #expect(try CronExpression.parse("@daily").description == "@daily")
    }

    @Test func equalityFollowsTheSource() throws {
        #expect(try CronExpression.parse("0 0 * * *") == CronExpression.parse(" 0 0 * * * "))
        #expect(try CronExpression.parse("0 0 * * *") != CronExpression.parse("0 1 * * *"))
    }

    @Test(arguments: [
        ("0 0 * * *", true), ("30 2 * * *", true), ("0 */2 * * *", true), ("0 0-22 * * *", true),
        ("0 * * * *", false), ("*/30 * * * *", false), ("0 0-23 * * *", false), ("0 */1 * * *", false),
        ("@hourly", false), ("@daily", true), ("* * * * * *", false), ("0 0 * * * *", false),
    ])
    func fixedTimeMeansTheHourFieldIsNotAllHours(_ cron: String, _ fixed: Bool) throws {
        #expect(try CronExpression.parse(cron).isFixedTime == fixed)
    }
}
