import Foundation

/// timestamptz text in both directions, by hand: it runs for every timestamp of every row, and
/// Postgres's output (DateStyle ISO, TimeZone UTC, set on every connection) is a fixed shape —
/// `2024-05-01 12:30:00.123456+00`, with optional fraction, `BC` suffix, and `infinity`.
enum PostgresTimestamp {
    private static let unixEpochToReferenceDate: Int64 = 978_307_200

    /// `YYYY-MM-DD HH:MM:SS.ffffff+00`, microseconds being Postgres's precision.
    static func format(_ date: Date) -> String {
        let seconds = date.timeIntervalSinceReferenceDate
        guard seconds.isFinite, abs(seconds) < 1e14 else { return seconds < 0 ? "-infinity" : "infinity" }
        let micros = Int64((seconds * 1_000_000).rounded()) + unixEpochToReferenceDate * 1_000_000
        let (days, microOfDay) = floorDivision(micros, 86_400_000_000)
        let (year, month, day) = civil(fromDays: days)
        let secondOfDay = microOfDay / 1_000_000
        var out = [UInt8]()
        out.reserveCapacity(32)
        append(year > 0 ? year : 1 - year, width: 4, to: &out)
        out.append(UInt8(ascii: "-"))
        append(month, width: 2, to: &out)
        out.append(UInt8(ascii: "-"))
        append(day, width: 2, to: &out)
        out.append(UInt8(ascii: " "))
        append(secondOfDay / 3600, width: 2, to: &out)
        out.append(UInt8(ascii: ":"))
        append(secondOfDay / 60 % 60, width: 2, to: &out)
        out.append(UInt8(ascii: ":"))
        append(secondOfDay % 60, width: 2, to: &out)
        out.append(UInt8(ascii: "."))
        append(microOfDay % 1_000_000, width: 6, to: &out)
        out.append(contentsOf: "+00".utf8)
        if year <= 0 { out.append(contentsOf: " BC".utf8) }
        return String(decoding: out, as: UTF8.self)
    }

    /// Reads timestamptz, timestamp (taken as UTC) and date output. `infinity` maps to
    /// `Date.distantFuture` and `-infinity` to `Date.distantPast`. nil when the text is none of these.
    static func parse(_ text: UnsafeBufferPointer<UInt8>) -> Date? {
        var scanner = ByteScanner(text)
        if scanner.matches("infinity") { return .distantFuture }
        if scanner.matches("-infinity") { return .distantPast }
        guard let year = scanner.number(minDigits: 4, maxDigits: 9), scanner.skip("-"),
              let month = scanner.number(minDigits: 2, maxDigits: 2), scanner.skip("-"),
              let day = scanner.number(minDigits: 2, maxDigits: 2),
              (1...12).contains(month), (1...31).contains(day) else { return nil }
        var secondOfDay: Int64 = 0
        var micros: Int64 = 0
        var offset: Int64 = 0
        if scanner.skip(" ") || scanner.skip("T") {
            guard let hour = scanner.number(minDigits: 2, maxDigits: 2), scanner.skip(":"),
                  let minute = scanner.number(minDigits: 2, maxDigits: 2), scanner.skip(":"),
                  let second = scanner.number(minDigits: 2, maxDigits: 2),
                  hour <= 24, minute <= 59, second <= 60 else { return nil }
            secondOfDay = hour * 3600 + minute * 60 + second
            if scanner.skip(".") {
                guard let fraction = scanner.microseconds() else { return nil }
                micros = fraction
            }
            if scanner.skip("Z") {
                offset = 0
            } else if let sign: Int64 = scanner.skip("+") ? 1 : scanner.skip("-") ? -1 : nil {
                guard let hours = scanner.number(minDigits: 2, maxDigits: 2) else { return nil }
                var total = hours * 3600
                if scanner.skip(":") {
                    guard let minutes = scanner.number(minDigits: 2, maxDigits: 2) else { return nil }
                    total += minutes * 60
                    if scanner.skip(":") {
                        guard let seconds = scanner.number(minDigits: 2, maxDigits: 2) else { return nil }
                        total += seconds
                    }
                }
                offset = sign * total
            }
        }
        let isBC = scanner.matches(" BC")
        guard scanner.isAtEnd else { return nil }
        let days = days(fromCivil: isBC ? 1 - year : year, month, day)
        let unixSeconds = days * 86_400 + secondOfDay - offset
        return Date(timeIntervalSinceReferenceDate:
            Double(unixSeconds - unixEpochToReferenceDate) + Double(micros) / 1_000_000)
    }

    // MARK: - Proleptic Gregorian calendar arithmetic (H. Hinnant's days_from_civil / civil_from_days)

    static func days(fromCivil year: Int64, _ month: Int64, _ day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    static func civil(fromDays days: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let shiftedMonth = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * shiftedMonth + 2) / 5 + 1
        let month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    private static func floorDivision(_ value: Int64, _ divisor: Int64) -> (Int64, Int64) {
        let quotient = value / divisor
        let remainder = value % divisor
        return remainder < 0 ? (quotient - 1, remainder + divisor) : (quotient, remainder)
    }

    /// Appends `value` (non-negative) in decimal, zero-padded to `width`, without a temporary.
    private static func append(_ value: Int64, width: Int, to out: inout [UInt8]) {
        var digitCount = 1
        var limit: Int64 = 10
        while value >= limit, digitCount < 18 { digitCount += 1; limit *= 10 }
        let total = max(width, digitCount)
        let start = out.count
        out.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: total))
        var rest = value
        var index = start + total - 1
        while rest > 0 {
            out[index] = UInt8(ascii: "0") + UInt8(rest % 10)
            rest /= 10
            index -= 1
        }
    }
}

/// A cursor over ASCII bytes for the hand-written parsers.
struct ByteScanner {
    private let text: UnsafeBufferPointer<UInt8>
    private var position = 0

    init(_ text: UnsafeBufferPointer<UInt8>) { self.text = text }

    var isAtEnd: Bool { position == text.count }

    /// Consumes `literal` when it is exactly the rest of the text (`infinity`, a trailing ` BC`).
    mutating func matches(_ literal: StaticString) -> Bool {
        let count = literal.utf8CodeUnitCount
        guard text.count - position == count else { return false }
        let base = literal.utf8Start
        for index in 0..<count where text[position + index] != base[index] { return false }
        position += count
        return true
    }

    mutating func skip(_ character: Unicode.Scalar) -> Bool {
        guard position < text.count, text[position] == UInt8(ascii: character) else { return false }
        position += 1
        return true
    }

    mutating func number(minDigits: Int, maxDigits: Int) -> Int64? {
        var value: Int64 = 0
        var digits = 0
        while position < text.count, digits < maxDigits, let digit = Self.digit(text[position]) {
            value = value * 10 + digit
            digits += 1
            position += 1
        }
        return digits >= minDigits ? value : nil
    }

    /// Fractional seconds after the dot, as microseconds (digits past the sixth are truncated).
    mutating func microseconds() -> Int64? {
        var value: Int64 = 0
        var digits = 0
        while position < text.count, let digit = Self.digit(text[position]) {
            if digits < 6 { value = value * 10 + digit }
            digits += 1
            position += 1
        }
        guard digits > 0 else { return nil }
        for _ in digits..<max(6, digits) { value *= 10 }
        return value
    }

    private static func digit(_ byte: UInt8) -> Int64? {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") ? Int64(byte - UInt8(ascii: "0")) : nil
    }
}
