import Foundation
import Scheduling

/// A recurring time of lower ceilings: on some weekdays, from one wall-clock time to another in
/// one time zone. A window whose end is not after its start runs past midnight; its weekdays
/// name the day it starts on. Text form (CLI): `mon-fri 08:00-18:00 Europe/Berlin`.
public struct PeakWindow: Codable, Sendable, Equatable, CustomStringConvertible {
    public static let dayNames = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"]

    /// Days it starts on, as three-letter lowercase English names.
    public var days: [String]
    /// "HH:MM".
    public var from: String
    public var to: String
    /// An IANA zone name.
    public var timezone: String
    public var rate: Double?
    public var maxRunning: Int?

    public init(days: [String], from: String, to: String, timezone: String, rate: Double? = nil, maxRunning: Int? = nil) {
        self.days = days
        self.from = from
        self.to = to
        self.timezone = timezone
        self.rate = rate
        self.maxRunning = maxRunning
    }

    public var description: String {
        let named = Set(days).count == 7 ? "daily" : days.joined(separator: ",")
        return "\(named) \(from)-\(to) \(timezone)"
    }

    public var problem: String? {
        if days.isEmpty { return "names no day" }
        if let bad = days.first(where: { !Self.dayNames.contains($0) }) { return "'\(bad)' is not a day (sun..sat)" }
        if Self.minutes(from) == nil { return "'\(from)' is not a time HH:MM" }
        if Self.minutes(to) == nil { return "'\(to)' is not a time HH:MM" }
        if TimeZones.named(timezone) == nil { return "'\(timezone)' is not an IANA time zone" }
        if rate == nil, maxRunning == nil { return "sets neither a rate nor maxRunning" }
        if let rate, !(rate > 0) { return "rate must be above 0" }
        if let maxRunning, maxRunning < 0 { return "maxRunning must be 0 or more" }
        return nil
    }

    /// Whether the window is open at `instant` (seconds since 1970).
    public func contains(_ instant: Double) -> Bool {
        guard let start = Self.minutes(from), let end = Self.minutes(to), let zone = TimeZones.named(timezone) else { return false }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let date = Date(timeIntervalSince1970: instant)
        let parts = calendar.dateComponents([.weekday, .hour, .minute], from: date)
        guard let weekday = parts.weekday, let hour = parts.hour, let minute = parts.minute else { return false }
        let now = hour * 60 + minute
        let today = Self.dayNames[(weekday - 1) % 7]
        let yesterday = Self.dayNames[(weekday + 5) % 7]
        if start < end { return days.contains(today) && now >= start && now < end }
        // Past midnight: open from `start` on a listed day until `end` the next morning.
        return (days.contains(today) && now >= start) || (days.contains(yesterday) && now < end)
    }

    /// Reads `DAYS HH:MM-HH:MM ZONE`, DAYS being names and ranges (`mon-fri`, `sat,sun`, `daily`).
    public init(parsing text: String, rate: Double?, maxRunning: Int?) throws(WindowError) {
        let words = text.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        guard words.count == 3 else { throw WindowError("peak window '\(text)' must read DAYS HH:MM-HH:MM ZONE, e.g. mon-fri 08:00-18:00 Europe/Berlin") }
        let times = words[1].split(separator: "-", omittingEmptySubsequences: false).map(String.init)
        guard times.count == 2 else { throw WindowError("'\(words[1])' must be HH:MM-HH:MM") }
        self.init(days: try Self.days(words[0].lowercased()), from: times[0], to: times[1], timezone: words[2],
                  rate: rate, maxRunning: maxRunning)
        if let problem { throw WindowError("peak window '\(text)': \(problem)") }
    }

    public struct WindowError: Error, CustomStringConvertible {
        public let description: String
        init(_ description: String) { self.description = description }
    }

    private static func days(_ text: String) throws(WindowError) -> [String] {
        if text == "daily" { return dayNames }
        var result: [String] = []
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            let ends = part.split(separator: "-", omittingEmptySubsequences: false).map(String.init)
            guard let first = ends.first, let start = dayNames.firstIndex(of: first), ends.count <= 2 else {
                throw WindowError("'\(part)' is not a day or day range (sun..sat, e.g. mon-fri)")
            }
            guard ends.count == 2 else { result.append(first); continue }
            guard let end = dayNames.firstIndex(of: ends[1]) else { throw WindowError("'\(ends[1])' is not a day (sun..sat)") }
            var day = start
            while true {
                result.append(dayNames[day])
                if day == end { break }
                day = (day + 1) % 7
            }
        }
        return result
    }

    static func minutes(_ text: String) -> Int? {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].count == 2, parts[1].count == 2,
              let hour = Int(parts[0]), let minute = Int(parts[1]), (0...23).contains(hour), (0...59).contains(minute)
        else { return nil }
        return hour * 60 + minute
    }
}
