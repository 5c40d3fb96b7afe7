import Foundation

/// UTC ISO-8601 timestamps with milliseconds, the one time format of APIs, logs and messages.
public enum Timestamp {
    public static func format(_ date: Date) -> String {
        date.formatted(style)
    }

    /// Parses ISO-8601 with or without fractional seconds; nil when the text is not a timestamp.
    public static func parse(_ text: String) -> Date? {
        if let date = try? style.parse(text) { return date }
        return try? Date.ISO8601FormatStyle(timeZone: .gmt).parse(text)
    }

    private static let style = Date.ISO8601FormatStyle(includingFractionalSeconds: true, timeZone: .gmt)
}
