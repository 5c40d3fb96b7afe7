import Foundation

/// UTC ISO-8601 timestamps with milliseconds, the one time format of APIs, logs and messages.
///
/// Every message carries one or more, so the exact format we write (`2026-11-22T04:10:27.123Z`)
/// is formatted and parsed by hand with `gmtime_r`/`timegm`; anything else (other offsets, no
/// or more fractional digits, years outside 1970…9999) goes through Foundation's ISO-8601 style,
/// which is several times slower.
public enum Timestamp {
    public static func format(_ date: Date) -> String {
        fastFormat(date) ?? date.formatted(style)
    }

    /// Parses ISO-8601 with or without fractional seconds; nil when the text is not a timestamp.
    public static func parse(_ text: String) -> Date? {
        if let date = fastParse(text) { return date }
        if let date = try? style.parse(text) { return date }
        return try? Date.ISO8601FormatStyle(timeZone: .gmt).parse(text)
    }

    private static let style = Date.ISO8601FormatStyle(includingFractionalSeconds: true, timeZone: .gmt)

    /// `yyyy-MM-ddTHH:mm:ss.SSSZ`, milliseconds truncated as Foundation's style does.
    static func fastFormat(_ date: Date) -> String? {
        let interval = date.timeIntervalSince1970
        guard interval >= 0, interval < 253_402_300_800 else { return nil }  // 1970-01-01 ..< 10000-01-01
        let wholeSeconds = interval.rounded(.down)
        var milliseconds = Int(((interval - wholeSeconds) * 1_000).rounded(.down))
        milliseconds = min(max(milliseconds, 0), 999)
        var time = time_t(wholeSeconds)
        var parts = tm()
        guard gmtime_r(&time, &parts) != nil else { return nil }
        var bytes = [UInt8](repeating: 0, count: 24)
        func put(_ value: Int, at offset: Int, digits: Int) {
            var value = value
            for index in stride(from: offset + digits - 1, through: offset, by: -1) {
                bytes[index] = UInt8(ascii: "0") + UInt8(value % 10)
                value /= 10
            }
        }
        put(Int(parts.tm_year) + 1_900, at: 0, digits: 4)
        put(Int(parts.tm_mon) + 1, at: 5, digits: 2)
        put(Int(parts.tm_mday), at: 8, digits: 2)
        put(Int(parts.tm_hour), at: 11, digits: 2)
        put(Int(parts.tm_min), at: 14, digits: 2)
        put(Int(parts.tm_sec), at: 17, digits: 2)
        put(milliseconds, at: 20, digits: 3)
        for (offset, character) in [(4, "-"), (7, "-"), (10, "T"), (13, ":"), (16, ":"), (19, "."), (23, "Z")] as [(Int, Unicode.Scalar)] {
            bytes[offset] = UInt8(ascii: character)
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Exactly `yyyy-MM-ddTHH:mm:ss.SSSZ` or `yyyy-MM-ddTHH:mm:ssZ` naming a real UTC instant.
    static func fastParse(_ text: String) -> Date? {
        let bytes = Array(text.utf8)
        guard bytes.count == 24 || bytes.count == 20, bytes.last == UInt8(ascii: "Z") else { return nil }
        let separators: [(Int, Unicode.Scalar)] = [(4, "-"), (7, "-"), (10, "T"), (13, ":"), (16, ":")]
        guard separators.allSatisfy({ bytes[$0.0] == UInt8(ascii: $0.1) }) else { return nil }
        func number(_ offset: Int, _ digits: Int) -> Int? {
            var value = 0
            for byte in bytes[offset..<(offset + digits)] {
                guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
                value = value * 10 + Int(byte - UInt8(ascii: "0"))
            }
            return value
        }
        guard let year = number(0, 4), let month = number(5, 2), let day = number(8, 2), let hour = number(11, 2),
              let minute = number(14, 2), let second = number(17, 2), year >= 1970 else { return nil }
        var milliseconds = 0
        if bytes.count == 24 {
            guard bytes[19] == UInt8(ascii: "."), let fraction = number(20, 3) else { return nil }
            milliseconds = fraction
        }
        var parts = tm()
        parts.tm_year = Int32(year - 1_900)
        parts.tm_mon = Int32(month - 1)
        parts.tm_mday = Int32(day)
        parts.tm_hour = Int32(hour)
        parts.tm_min = Int32(minute)
        parts.tm_sec = Int32(second)
        var time = timegm(&parts)
        // timegm normalises out-of-range fields (Feb 30 becomes Mar 2): only a round trip to the
        // same fields is a real instant; anything else is left to Foundation to judge.
        var check = tm()
        guard gmtime_r(&time, &check) != nil, check.tm_year == Int32(year - 1_900), check.tm_mon == Int32(month - 1),
              check.tm_mday == Int32(day), check.tm_hour == Int32(hour), check.tm_min == Int32(minute),
              check.tm_sec == Int32(second) else { return nil }
        // Built the way Foundation builds it (whole seconds since 2001 plus the fraction), so both
        // paths give the same Double to the last bit.
        return Date(timeIntervalSinceReferenceDate: Double(Int(time) - 978_307_200) + Double(milliseconds) / 1_000)
    }
}
