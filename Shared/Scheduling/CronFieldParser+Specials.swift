/// Quartz's day-field extensions (`L`, `L-n`, `nW`, `LW`, `nL`, `n#k`): parsed here, and
/// recognised elsewhere only to explain why they are not allowed there.
extension CronFieldParser {
    func dayOfMonth() throws(CronError) -> DayOfMonthField {
        var field = DayOfMonthField()
        for item in try items() {
            if let special = try dayOfMonthSpecial(item) {
                field.formUnion(special)
            } else {
                field.days.formUnion(try standardItem(item))
            }
        }
        field.isUnrestricted = isUnrestricted
        return field
    }

    func dayOfWeek() throws(CronError) -> DayOfWeekField {
        var field = DayOfWeekField()
        for item in try items() {
            if let special = try dayOfWeekSpecial(item) {
                field.formUnion(special)
            } else {
                field.weekdays.formUnion(try standardItem(item))
            }
        }
        field.isUnrestricted = isUnrestricted
        return field
    }

    // MARK: - Day of month

    /// nil when `item` is not one of the special forms (then it is parsed as a plain item).
    private func dayOfMonthSpecial(_ item: String) throws(CronError) -> DayOfMonthField? {
        let upper = item.uppercased()
        var field = DayOfMonthField()
        if upper == "L" {
            field.offsetsFromLastDay.insert(0)
        } else if upper == "LW" {
            field.lastWeekday = true
        } else if upper.hasPrefix("L-") {
            field.offsetsFromLastDay.insert(try lastDayOffset(String(upper.dropFirst(2)), in: item))
        } else if upper.hasSuffix("W"), CronFieldParser.number(String(upper.dropLast())) != nil {
            field.nearestWeekdayTo.insert(try value(String(item.dropLast()), in: item))
        } else {
            return nil
        }
        return field
    }

    private func lastDayOffset(_ text: String, in item: String) throws(CronError) -> Int {
        guard let offset = CronFieldParser.number(text), (1...30).contains(offset) else {
            throw fail("'\(item)': the n in L-n must be a number 1-30")
        }
        return offset
    }

    // MARK: - Day of week

    private func dayOfWeekSpecial(_ item: String) throws(CronError) -> DayOfWeekField? {
        let upper = item.uppercased()
        var field = DayOfWeekField()
        if let hash = item.firstIndex(of: "#") {
            let weekday = try singleWeekday(String(item[..<hash]), in: item, form: "n#k")
            let nth = try occurrence(String(item[item.index(after: hash)...]), in: item)
            field.nthInMonth.insert(DayOfWeekField.nthBit(weekday: weekday, occurrence: nth))
        } else if upper.hasPrefix("L-") {
            throw fail("'\(item)': L-n is only allowed in the day-of-month field")
        } else if upper.hasSuffix("L"), upper.count > 1 {
            field.lastInMonth.insert(try singleWeekday(String(item.dropLast()), in: item, form: "nL"))
        } else {
            return nil
        }
        return field
    }

    /// The n of `n#k` and `nL`: one weekday, because "the 2nd Monday-to-Friday" has no meaning.
    private func singleWeekday(_ text: String, in item: String, form: String) throws(CronError) -> Int {
        guard !text.contains(where: { "*?-/".contains($0) }) else {
            throw fail("'\(item)': \(form) takes one weekday (0-7 or SUN-SAT), not a range or step")
        }
        return try value(text, in: item) % 7
    }

    private func occurrence(_ text: String, in item: String) throws(CronError) -> Int {
        guard let occurrence = CronFieldParser.number(text), (1...5).contains(occurrence) else {
            throw fail("'\(item)': the k in n#k must be 1-5 (the k-th such weekday of the month)")
        }
        return occurrence
    }

    // MARK: - Misplaced forms

    /// A clear message for special forms used where they do not belong, instead of "not a number".
    func misplacedSpecial(_ upper: String, token: String) -> String? {
        let digitsBefore = { (suffix: String) in
            upper.hasSuffix(suffix) && CronFieldParser.number(String(upper.dropLast(suffix.count))) != nil
        }
        if upper.contains("#") {
            return kind == .dayOfWeek
                ? "'\(token)' cannot be part of a range or step"
                : "'#' (n#k) is only allowed in the day-of-week field"
        }
        if upper == "LW" || digitsBefore("W") {
            return kind == .dayOfMonth
                ? "'\(token)' cannot be part of a range or step"
                : "'W' (nW, LW) is only allowed in the day-of-month field"
        }
        let isLastForm = upper == "L" || digitsBefore("L")
            || (upper.hasPrefix("L-") && CronFieldParser.number(String(upper.dropFirst(2))) != nil)
        guard isLastForm else { return nil }
        return lastFormMessage(upper, token: token)
    }

    private func lastFormMessage(_ upper: String, token: String) -> String {
        switch kind {
        case .dayOfMonth where upper.hasSuffix("L") && upper != "L":
            return "'\(token)': nL (last weekday n) belongs in the day-of-week field; day-of-month takes L or L-n"
        case .dayOfWeek where upper == "L":
            return "'L' alone is not allowed in day-of-week; write nL, e.g. 5L for the last Friday"
        case .dayOfWeek where upper.hasPrefix("L-"):
            return "'\(token)': L-n is only allowed in the day-of-month field"
        case .dayOfMonth, .dayOfWeek:
            return "'\(token)' cannot be part of a range or step"
        default:
            return "'L' is only allowed in the day-of-month and day-of-week fields"
        }
    }
}
