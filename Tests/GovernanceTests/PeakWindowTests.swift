import Contracts
import Governance
import Testing

/// Peak windows: weekdays, wall-clock times in a zone, windows past midnight, DST days, parsing.
@Suite struct PeakWindowTests {
    // MARK: - Instants (all UTC)

    static let saturday = noon + 3 * day
    /// 2024-06-09 00:00 and 2024-06-10 00:00 UTC.
    static let sundayMidnight = noon + 3 * day + 12 * hour
    static let mondayMidnight = sundayMidnight + day
    /// Europe/Berlin moves from 02:00 CET to 03:00 CEST on 2024-03-31 (00:00 UTC = 01:00 CET) …
    static let springForward: Double = 1_711_843_200
    /// … and from 03:00 CEST back to 02:00 CET on 2024-10-27 (00:00 UTC = 02:00 CEST).
    static let fallBack: Double = 1_729_987_200

    /// An instant in the week from Wednesday 5 to Tuesday 11 June 2024, UTC: `sat 05:59:59`.
    static func utc(_ text: String) throws -> Double {
        let parts = text.split(separator: " ")
        try #require(parts.count == 2)
        let offset = try #require(["wed", "thu", "fri", "sat", "sun", "mon", "tue"].firstIndex(of: String(parts[0])))
        let clock = try parts[1].split(separator: ":").map { try #require(Int($0)) }
        try #require(clock.count == 3)
        return noon - 12 * hour + Double(offset) * day + Double(clock[0] * 3_600 + clock[1] * 60 + clock[2])
    }

    static func window(_ text: String) throws -> PeakWindow {
        try PeakWindow(parsing: text, rate: 1, maxRunning: nil)
    }

    /// Minutes of the UTC day starting at `start` during which the window is open.
    static func openMinutes(_ window: PeakWindow, utcDay start: Double) -> Int {
        (0..<1_440).count { window.contains(start + Double($0) * 60) }
    }

    // MARK: - Weekdays and times

    @Test(arguments: [
        ("wed 12:00:00", true), ("wed 08:00:00", true), ("wed 07:59:59", false),
        ("wed 17:59:59", true), ("wed 18:00:00", false), ("sat 12:00:00", false), ("fri 12:00:00", true),
    ])
    func weekdayWindowIsOpenFromItsStartUntilJustBeforeItsEnd(instant: String, open: Bool) throws {
        #expect(try Self.window("mon-fri 08:00-18:00 UTC").contains(Self.utc(instant)) == open)
    }

    @Test func rangeThatWrapsRoundTheWeek() throws {
        let window = try Self.window("fri-mon 10:00-14:00 UTC")
        #expect(window.days == ["fri", "sat", "sun", "mon"])
        // Noon on Wednesday 5 June through Tuesday 11 June.
        let open = (0..<7).map { window.contains(noon + Double($0) * day) }
        #expect(open == [false, false, true, true, true, true, false])
    }

    @Test(arguments: [
        ("mon-fri", ["mon", "tue", "wed", "thu", "fri"]),
        ("sat,sun", ["sat", "sun"]),
        ("daily", PeakWindow.dayNames),
        ("MON-WED,fri", ["mon", "tue", "wed", "fri"]),
        ("sun-sun", ["sun"]),
        ("tue-mon", ["tue", "wed", "thu", "fri", "sat", "sun", "mon"]),
        ("wed", ["wed"]),
    ])
    func dayListsAndRanges(days: String, expected: [String]) throws {
        #expect(try Self.window("\(days) 08:00-09:00 UTC").days == expected)
    }

    @Test func parsedWindowKeepsItsFieldsAndReadsBack() throws {
        let window = try PeakWindow(parsing: "  sat,sun   22:30-06:15  Europe/Berlin ", rate: 2.5, maxRunning: 7)
        #expect(window == PeakWindow(days: ["sat", "sun"], from: "22:30", to: "06:15", timezone: "Europe/Berlin", rate: 2.5, maxRunning: 7))
        #expect(window.description == "sat,sun 22:30-06:15 Europe/Berlin")
    }

    // MARK: - Past midnight

    @Test(arguments: [
        ("fri 22:00:00", true), ("fri 21:59:59", false),
        ("sat 05:59:59", true),   // the morning after a listed day
        ("sat 06:00:00", false),
        ("sat 23:00:00", false),  // Saturday is not listed
        ("fri 05:00:00", false),  // nor is Thursday
    ])
    func overnightWindowRunsIntoTheNextMorning(instant: String, open: Bool) throws {
        #expect(try Self.window("fri 22:00-06:00 UTC").contains(Self.utc(instant)) == open)
    }

    @Test func overnightWindowCrossesTheEndOfTheWeek() throws {
        #expect(try Self.window("sat 23:00-01:00 UTC").contains(Self.sundayMidnight + 30 * 60))
        #expect(try Self.window("sun 22:00-02:00 UTC").contains(Self.mondayMidnight + hour))
        #expect(try !Self.window("sun 22:00-02:00 UTC").contains(Self.mondayMidnight + 2 * hour))
    }

    @Test func equalStartAndEndIsAFullDay() throws {
        let window = try Self.window("wed 00:00-00:00 UTC")
        #expect(Self.openMinutes(window, utcDay: noon - 12 * hour) == 1_440)
        #expect(Self.openMinutes(window, utcDay: noon + 12 * hour) == 0)
    }

    // MARK: - Time zones

    @Test func wallClockIsReadInTheWindowsZone() throws {
        let newYork = try Self.window("mon-fri 08:00-18:00 America/New_York")  // EDT, UTC-4
        #expect(newYork.contains(noon))
        #expect(!newYork.contains(noon - 1))
        #expect(newYork.contains(noon + 10 * hour - 1))
        #expect(!newYork.contains(noon + 10 * hour))
    }

    @Test func weekdayIsTheZonesWeekday() throws {
        let tokyo = try Self.window("mon 00:00-06:00 Asia/Tokyo")  // UTC+9
        #expect(tokyo.contains(Self.mondayMidnight - 4 * hour), "Sunday 20:00 UTC is Monday 05:00 in Tokyo")
        #expect(!tokyo.contains(Self.mondayMidnight - 10 * hour), "Sunday 14:00 UTC is Sunday 23:00 in Tokyo")
        #expect(!tokyo.contains(Self.mondayMidnight + 2 * hour), "Monday 02:00 UTC is Monday 11:00 in Tokyo")
    }

    @Test func springForwardShortensAWindowAcrossTheSkippedHour() throws {
        let window = try Self.window("sun 01:00-04:00 Europe/Berlin")
        #expect(!window.contains(Self.springForward - 1))          // 00:59:59 CET
        #expect(window.contains(Self.springForward))               // 01:00 CET
        #expect(window.contains(Self.springForward + hour))        // 03:00 CEST
        #expect(window.contains(Self.springForward + 2 * hour - 1)) // 03:59:59 CEST
        #expect(!window.contains(Self.springForward + 2 * hour))   // 04:00 CEST
        #expect(Self.openMinutes(window, utcDay: Self.springForward) == 120)
        #expect(Self.openMinutes(window, utcDay: Self.springForward - 7 * day) == 180, "a week earlier, no change")
    }

    @Test func windowInsideTheSkippedHourNeverOpensThatDay() throws {
        let window = try Self.window("sun 02:00-03:00 Europe/Berlin")
        #expect(Self.openMinutes(window, utcDay: Self.springForward - day) + Self.openMinutes(window, utcDay: Self.springForward) == 0)
        #expect(Self.openMinutes(window, utcDay: Self.springForward + 7 * day) == 60)
    }

    @Test func fallBackOpensARepeatedHourTwice() throws {
        let window = try Self.window("sun 02:00-03:00 Europe/Berlin")
        #expect(!window.contains(Self.fallBack - 1))             // 01:59:59 CEST
        #expect(window.contains(Self.fallBack))                  // 02:00 CEST
        #expect(window.contains(Self.fallBack + hour))           // 02:00 CET, the second time
        #expect(window.contains(Self.fallBack + 2 * hour - 1))   // 02:59:59 CET
        #expect(!window.contains(Self.fallBack + 2 * hour))      // 03:00 CET
        #expect(Self.openMinutes(window, utcDay: Self.fallBack) == 120)
    }

    @Test func offsetOfAWorkdayWindowFollowsDST() throws {
        let window = try Self.window("mon-fri 08:00-18:00 Europe/Berlin")
        // 06:30 UTC is 07:30 CET on Friday 29 March, 08:30 CEST on Monday 1 April.
        #expect(!window.contains(Self.springForward - 2 * day + 6.5 * hour))
        #expect(window.contains(Self.springForward + day + 6.5 * hour))
    }

    // MARK: - Errors

    @Test(arguments: [
        ("", "peak window '' must read DAYS HH:MM-HH:MM ZONE, e.g. mon-fri 08:00-18:00 Europe/Berlin"),
        ("mon-fri 08:00-18:00", "peak window 'mon-fri 08:00-18:00' must read DAYS HH:MM-HH:MM ZONE, e.g. mon-fri 08:00-18:00 Europe/Berlin"),
        ("mon 08:00-18:00 UTC extra", "peak window 'mon 08:00-18:00 UTC extra' must read DAYS HH:MM-HH:MM ZONE, e.g. mon-fri 08:00-18:00 Europe/Berlin"),
        ("mon 08:00 UTC", "'08:00' must be HH:MM-HH:MM"),
        ("mon 08:00-09:00-10:00 UTC", "'08:00-09:00-10:00' must be HH:MM-HH:MM"),
        ("funday 08:00-09:00 UTC", "'funday' is not a day or day range (sun..sat, e.g. mon-fri)"),
        ("mon-tue-wed 08:00-09:00 UTC", "'mon-tue-wed' is not a day or day range (sun..sat, e.g. mon-fri)"),
        ("mon-xyz 08:00-09:00 UTC", "'xyz' is not a day (sun..sat)"),
        ("mon 8:00-09:00 UTC", "peak window 'mon 8:00-09:00 UTC': '8:00' is not a time HH:MM"),
        ("mon 0800-0900 UTC", "peak window 'mon 0800-0900 UTC': '0800' is not a time HH:MM"),
        ("mon 24:00-01:00 UTC", "peak window 'mon 24:00-01:00 UTC': '24:00' is not a time HH:MM"),
        ("mon 08:00-08:60 UTC", "peak window 'mon 08:00-08:60 UTC': '08:60' is not a time HH:MM"),
        ("mon 08:00-09:00 CEST", "peak window 'mon 08:00-09:00 CEST': 'CEST' is not an IANA time zone"),
        ("mon 08:00-09:00 GMT+2", "peak window 'mon 08:00-09:00 GMT+2': 'GMT+2' is not an IANA time zone"),
        ("mon 08:00-09:00 Mars/Olympus", "peak window 'mon 08:00-09:00 Mars/Olympus': 'Mars/Olympus' is not an IANA time zone"),
    ])
    func malformedTextIsRejectedWithItsReason(text: String, message: String) {
        let error = #expect(throws: PeakWindow.WindowError.self) { try PeakWindow(parsing: text, rate: 1, maxRunning: nil) }
        #expect(error?.description == message)
    }

    @Test(arguments: ["mon- 08:00-09:00 UTC", "-fri 08:00-09:00 UTC", "mon,,fri 08:00-09:00 UTC", "mon, 08:00-09:00 UTC",
                      "mon--fri 08:00-09:00 UTC", "mon -08:00-09:00 UTC", "mon 08:00--09:00 UTC", "mon 08:00-09:00- UTC"])
    func emptyDaysOrTimesAreRejected(text: String) {
        #expect(throws: PeakWindow.WindowError.self) { try PeakWindow(parsing: text, rate: 1, maxRunning: nil) }
    }

    @Test func windowMustLowerSomething() {
        #expect(throws: PeakWindow.WindowError.self) { try PeakWindow(parsing: "mon 08:00-09:00 UTC", rate: nil, maxRunning: nil) }
        #expect(throws: PeakWindow.WindowError.self) { try PeakWindow(parsing: "mon 08:00-09:00 UTC", rate: 0, maxRunning: nil) }
        #expect(throws: PeakWindow.WindowError.self) { try PeakWindow(parsing: "mon 08:00-09:00 UTC", rate: nil, maxRunning: -1) }
        #expect(throws: Never.self) { try PeakWindow(parsing: "mon 08:00-09:00 UTC", rate: nil, maxRunning: 0) }
    }

    @Test(arguments: [
        (PeakWindow(days: [], from: "08:00", to: "09:00", timezone: "UTC", rate: 1), "names no day"),
        (PeakWindow(days: ["Mon"], from: "08:00", to: "09:00", timezone: "UTC", rate: 1), "'Mon' is not a day (sun..sat)"),
        (PeakWindow(days: ["mon"], from: "08:00", to: "9", timezone: "UTC", rate: 1), "'9' is not a time HH:MM"),
        (PeakWindow(days: ["mon"], from: "08:00", to: "09:00", timezone: "UTC"), "sets neither a rate nor maxRunning"),
        (PeakWindow(days: ["mon"], from: "08:00", to: "09:00", timezone: "UTC", rate: -1), "rate must be above 0"),
        (PeakWindow(days: ["mon"], from: "08:00", to: "09:00", timezone: "UTC", maxRunning: -1), "maxRunning must be 0 or more"),
    ])
    func windowNamesItsProblem(window: PeakWindow, problem: String) {
        #expect(window.problem == problem)
    }

    @Test func invalidWindowIsNeverOpen() {
        let window = PeakWindow(days: PeakWindow.dayNames, from: "00:00", to: "00:00", timezone: "Nowhere/Land", rate: 1)
        #expect(!window.contains(noon))
    }

    // MARK: - In the planner

    @Test func openGlobalWindowLowersThePlatformCeiling() throws {
        let peak = try PeakWindow(parsing: "mon-fri 08:00-18:00 UTC", rate: 2, maxRunning: nil)
        let throttle = settings { $0.global = Throttle(rate: 100, burst: 2, peakWindows: [peak]) }
        let inside = plan(tasks("a", 5), settings: throttle)
        #expect(inside.dispatches.count == 2)
        #expect(inside.globalAdjustment == "peak window")
        #expect(inside.reason(task("a", "a2")) == .globalRate(2, why: "peak window"))
        #expect(WaitReason.globalRate(2, why: "peak window").description == "throttle: platform dispatch ceiling (2/s), peak window")
        let outside = plan(tasks("a", 5), settings: throttle, now: Self.saturday)
        #expect(outside.dispatches.count == 2, "the burst still caps one pass")
        #expect(outside.globalAdjustment == nil)
        #expect(outside.reason(task("a", "a2")) == .globalRate(100, why: nil))
    }

    @Test func openPoolWindowLowersThePoolCeiling() throws {
        let peak = try PeakWindow(parsing: "wed 11:00-13:00 UTC", rate: nil, maxRunning: 1)
        let throttle = settings { $0.pools["p"] = Throttle(maxRunning: 10, peakWindows: [peak]) }
        let inside = plan(tasks("a", 3), settings: throttle)
        #expect(inside.order == ["a0"])
        #expect(inside.reason(task("a", "a1")) == .poolRunning("p", 1, why: "peak window"))
        #expect(inside.outlook["a"]?.reason == nil)
        #expect(inside.globalAdjustment == nil, "a pool window does not touch the platform ceiling")
        #expect(WaitReason.poolRunning("p", 1, why: "peak window").description == "throttle: pool p at its running ceiling (1), peak window")
        #expect(plan(tasks("a", 3), settings: throttle, now: noon + 2 * hour).dispatches.count == 3)
    }

    @Test func windowWithoutABaseLimitStillLimits() throws {
        let peak = try PeakWindow(parsing: "daily 00:00-00:00 UTC", rate: nil, maxRunning: 2)
        let plan = plan(tasks("a", 5), settings: settings { $0.global = Throttle(peakWindows: [peak]) })
        #expect(plan.dispatches.count == 2)
        #expect(plan.reason(task("a", "a2")) == .globalRunning(2, why: "peak window"))
    }
}
