/// Durations as people write them in definitions: "90s", "5m", "2h", "1d", "1h30m". One parser so
/// every duration field (jitter, misfire grace, timeouts, deadlines) reads the same way.
public enum DurationText {
    /// Whole seconds, or nil when the text is not a positive sequence of number+unit pairs.
    public static func seconds(_ text: String) -> Int? {
        var total = 0
        var number = 0
        var digits = 0
        var pairs = 0
        for character in text {
            if let digit = character.wholeNumberValue, character.isASCII {
                guard digits < 9 else { return nil }
                number = number * 10 + digit
                digits += 1
                continue
            }
            guard digits > 0, let unit = unitSeconds(character) else { return nil }
            let (product, overflow) = number.multipliedReportingOverflow(by: unit)
            guard !overflow else { return nil }
            total += product
            number = 0
            digits = 0
            pairs += 1
        }
        guard digits == 0, pairs > 0 else { return nil }
        return total
    }

    /// "1h30m" style text for a number of seconds (the inverse of `seconds`).
    public static func format(_ seconds: Int) -> String {
        guard seconds > 0 else { return "0s" }
        var rest = seconds
        var text = ""
        for (unit, size) in [("d", 86_400), ("h", 3_600), ("m", 60), ("s", 1)] where rest >= size {
            text += "\(rest / size)\(unit)"
            rest %= size
        }
        return text
    }

    private static func unitSeconds(_ unit: Character) -> Int? {
        switch unit {
        case "s": 1
        case "m": 60
        case "h": 3_600
        case "d": 86_400
        default: nil
        }
    }
}
