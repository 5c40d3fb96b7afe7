import Foundation
import Testing
@testable import Scheduling

@Suite struct LocalDateTests {
    @Test func invalidDatesAreRejected() {
        #expect(LocalDate(year: 2026, month: 2, day: 29) == nil)
        #expect(LocalDate(year: 2026, month: 2, day: 30) == nil)
        #expect(LocalDate(year: 2026, month: 4, day: 31) == nil)
        #expect(LocalDate(year: 2026, month: 13, day: 1) == nil)
        #expect(LocalDate(year: 2026, month: 0, day: 1) == nil)
        #expect(LocalDate(year: 2026, month: 1, day: 0) == nil)
        #expect(LocalDate(year: 0, month: 1, day: 1) == nil)
        #expect(LocalDate(year: 10000, month: 1, day: 1) == nil)
        #expect(LocalDate(year: 2100, month: 2, day: 29) == nil)
    }

    @Test func validDatesKeepTheirParts() throws {
        let leap = try #require(LocalDate(year: 2028, month: 2, day: 29))
        #expect((leap.year, leap.month, leap.day) == (2028, 2, 29))
        #expect(LocalDate(year: 2000, month: 2, day: 29) != nil)
        #expect(LocalDate(year: 1, month: 1, day: 1) != nil)
        #expect(LocalDate(year: 9999, month: 12, day: 31) != nil)
    }

    @Test(arguments: ["2026-12-25", "0001-01-01", "9999-12-31", "2028-02-29"])
    func textRoundTrips(_ text: String) throws {
        #expect(try #require(LocalDate(text)).description == text)
    }

    @Test(arguments: [
        "", "2026-1-05", "2026-01-5", "26-01-05", "2026/01/05", "2026-01-05 ", " 2026-01-05", "2026-01-05T00:00",
        "+026-01-05", "2026-+1-05", "2026-02-30", "0000-01-01", "２０２６-01-05", "2026-13-01",
    ])
    func looseTextIsRejected(_ text: String) {
        #expect(LocalDate(text) == nil)
    }

    @Test func descriptionPadsWithZeros() throws {
        #expect(try #require(LocalDate(year: 5, month: 3, day: 7)).description == "0005-03-07")
    }

    @Test func ordersByCalendar() throws {
        let dates = try ["2026-12-25", "2025-12-31", "2026-01-01", "2026-02-10"].map(localDate).sorted()
        #expect(dates.map(\.description) == ["2025-12-31", "2026-01-01", "2026-02-10", "2026-12-25"])
    }

    @Test func codableAsItsText() throws {
        let dates = try [localDate("2026-12-25")]
        let json = try JSONEncoder().encode(dates)
        #expect(String(decoding: json, as: UTF8.self) == #"["2026-12-25"]"#)
        #expect(try JSONDecoder().decode([LocalDate].self, from: json) == dates)
    }

    @Test(arguments: [#"["2026-02-30"]"#, #"["2026-1-1"]"#, #"[20261225]"#, #"[{"year":2026,"month":1,"day":1}]"#])
    func decodingInvalidTextThrows(_ json: String) {
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode([LocalDate].self, from: Data(json.utf8))
        }
    }

    @Test func dayNumbersRoundTripAndMatchKnownWeekdays() throws {
        let epoch = try localDate("1970-01-01")
        #expect(epoch.dayNumber == 0)
        #expect(epoch.weekday == 4)
        #expect(try localDate("2026-12-25").weekday == 5)
        #expect(try localDate("2000-02-29").weekday == 2)
        #expect(try localDate("0001-01-01").weekday == 1)
        var date = try localDate("1899-12-25")
        var failures: [String] = []
        for _ in 0..<(365 * 210) {
            let next = try #require(date.adding(days: 1))
            let consistent = LocalDate(dayNumber: next.dayNumber) == next && next.weekday == (date.weekday + 1) % 7
                && next > date && (next.day == date.day + 1 || next.day == 1)
            if !consistent { failures.append(next.description) }
            date = next
        }
        #expect(failures.isEmpty)
        #expect(date.description == "2109-11-04")
    }

    @Test func dayNumbersOutsideYears1To9999HaveNoDate() throws {
        #expect(LocalDate(dayNumber: LocalDate.earliest.dayNumber - 1) == nil)
        #expect(LocalDate(dayNumber: LocalDate.latest.dayNumber + 1) == nil)
        #expect(LocalDate(dayNumber: LocalDate.latest.dayNumber) == LocalDate.latest)
        #expect(try localDate("9999-12-31").firstOfNextMonth == nil)
    }
}
