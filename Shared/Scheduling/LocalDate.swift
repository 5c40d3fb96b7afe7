/// A calendar day with no time of day and no zone: holiday calendars, `onlyDates` and business-day
/// rules talk about days as people see them on a wall calendar, not about instants.
///
/// The calendar is the proleptic Gregorian one and years are limited to 1...9999, the range the
/// strict `YYYY-MM-DD` text form can spell.
public struct LocalDate: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let year: Int
    public let month: Int
    public let day: Int

    /// Returns nil for dates that do not exist (February 30, month 13, year 0) so an invalid date
    /// can never reach a calendar.
    public init?(year: Int, month: Int, day: Int) {
        guard (1...9999).contains(year), (1...12).contains(month),
              (1...LocalDate.daysIn(month: month, year: year)).contains(day) else { return nil }
        self.init(validYear: year, month: month, day: day)
    }

    /// Accepts exactly `YYYY-MM-DD` (ten characters, zero-padded); anything looser is rejected so
    /// that configuration typos surface instead of being guessed at.
    public init?(_ text: String) {
        let bytes = Array(text.utf8)
        guard bytes.count == 10, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"),
              let year = LocalDate.digits(bytes[0..<4]),
              let month = LocalDate.digits(bytes[5..<7]),
              let day = LocalDate.digits(bytes[8..<10]) else { return nil }
        self.init(year: year, month: month, day: day)
    }

    /// Only for callers that have already validated the parts (date arithmetic).
    init(validYear year: Int, month: Int, day: Int) {
        self.year = year
        self.month = month
        self.day = day
    }

    public var description: String {
        "\(LocalDate.pad(year, 4))-\(LocalDate.pad(month, 2))-\(LocalDate.pad(day, 2))"
    }

    public static func < (lhs: LocalDate, rhs: LocalDate) -> Bool {
        (lhs.year, lhs.month, lhs.day) < (rhs.year, rhs.month, rhs.day)
    }

    // MARK: - Text helpers

    /// Parses ASCII digits only; `Int(_:)` would also accept a sign.
    static func digits(_ bytes: ArraySlice<UInt8>) -> Int? {
        var value = 0
        for byte in bytes {
            guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) else { return nil }
            value = value * 10 + Int(byte - UInt8(ascii: "0"))
        }
        return bytes.isEmpty ? nil : value
    }

    static func pad(_ value: Int, _ width: Int) -> String {
        let text = String(value)
        return String(repeating: "0", count: max(0, width - text.count)) + text
    }
}
