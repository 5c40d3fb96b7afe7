/// A cursor over the time and offset parts of an ISO 8601 string, strict about digits and
/// separators so that "2026-03-29T3:00" or "+2" are rejected rather than guessed.
struct ISO8601Reader {
    let bytes: [UInt8]
    var position: Int

    var atEnd: Bool { position == bytes.count }

    /// "THH:MM" or "THH:MM:SS" as seconds of the day.
    mutating func timeOfDay() -> Int? {
        guard take("T") || take("t"), let hour = twoDigits(max: 23), take(":"),
              let minute = twoDigits(max: 59) else { return nil }
        var second = 0
        if take(":") {
            guard let value = twoDigits(max: 59) else { return nil }
            second = value
        }
        return hour * 3600 + minute * 60 + second
    }

    /// "Z", "+HH:MM" or "+HH:MM:SS" (the last as `format` writes local mean time) in seconds.
    mutating func offset() -> Int? {
        if take("Z") || take("z") { return 0 }
        let sign: Int
        if take("+") { sign = 1 } else if take("-") { sign = -1 } else { return nil }
        guard let hours = twoDigits(max: 23), take(":"), let minutes = twoDigits(max: 59) else { return nil }
        var seconds = 0
        if take(":") {
            guard let value = twoDigits(max: 59) else { return nil }
            seconds = value
        }
        return sign * (hours * 3600 + minutes * 60 + seconds)
    }

    private mutating func take(_ character: Unicode.Scalar) -> Bool {
        guard position < bytes.count, bytes[position] == UInt8(ascii: character) else { return false }
        position += 1
        return true
    }

    private mutating func twoDigits(max: Int) -> Int? {
        guard position + 2 <= bytes.count,
              let value = LocalDate.digits(bytes[position..<position + 2]), value <= max else { return nil }
        position += 2
        return value
    }
}
