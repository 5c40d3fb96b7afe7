/// Parses one field's text: comma lists of `*`, `?`, values, ranges and steps. Every error carries
/// the field's name and text and names the offending item, so a user never has to guess which
/// part of the expression is wrong.
struct CronFieldParser {
    let kind: CronFieldKind
    let text: String

    func fail(_ message: String) -> CronError {
        CronError(field: kind.name, fieldText: text, message: message)
    }

    /// The comma-separated items, refusing empty ones (`1,,2`, `1,`), which are always typos.
    func items() throws(CronError) -> [String] {
        let items = text.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        guard !items.contains(where: \.isEmpty) else {
            throw fail("empty list item (two commas in a row, or a comma at an end)")
        }
        return items
    }

    /// The field as a plain value set; for fields without special forms.
    func plainValues() throws(CronError) -> ValueSet {
        var values = ValueSet()
        for item in try items() {
            values.formUnion(try standardItem(item))
        }
        return values
    }

    var isUnrestricted: Bool { text.hasPrefix("*") || text.hasPrefix("?") }

    // MARK: - Items

    /// `*`, `?`, `a`, `a-b`, each optionally followed by `/n`.
    func standardItem(_ item: String) throws(CronError) -> ValueSet {
        let parts = item.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard parts.count <= 2 else { throw fail("'\(item)' has more than one '/'") }
        let step = parts.count == 2 ? try stepValue(parts[1], in: item) : nil
        let (low, high) = try span(parts[0], in: item, hasStep: step != nil)
        var values = ValueSet()
        for value in stride(from: low, through: high, by: step ?? 1) {
            values.insert(kind == .dayOfWeek ? value % 7 : value)
        }
        return values
    }

    private func span(_ base: String, in item: String, hasStep: Bool) throws(CronError) -> (Int, Int) {
        if base == "*" || base == "?" {
            guard base == "*" || kind.allowsQuestionMark else {
                throw fail("'?' is only allowed in the day-of-month and day-of-week fields")
            }
            return (kind.bounds.lowerBound, kind.wildcardUpperBound)
        }
        let ends = base.split(separator: "-", omittingEmptySubsequences: false).map(String.init)
        switch ends.count {
        case 1:
            let value = try value(base, in: item)
            return (value, hasStep ? max(value, kind.wildcardUpperBound) : value)
        case 2:
            let low = try value(ends[0], in: item)
            let high = try value(ends[1], in: item)
            guard low <= high else {
                throw fail("range \(base) is reversed (it starts after it ends); list both parts instead")
            }
            return (low, high)
        default:
            throw fail("'\(base)' is not a value or a range a-b")
        }
    }

    private func stepValue(_ text: String, in item: String) throws(CronError) -> Int {
        guard let step = CronFieldParser.number(text) else {
            throw fail(text.isEmpty ? "'\(item)' has no step after '/'" : "step '\(text)' in '\(item)' is not a number")
        }
        guard step > 0 else { throw fail("step 0 in '\(item)' never advances; use a step of 1 or more") }
        return step
    }

    // MARK: - Values

    /// A number or (in month and day-of-week) a three-letter name, checked against the bounds.
    func value(_ token: String, in item: String) throws(CronError) -> Int {
        guard !token.isEmpty else { throw fail("'\(item)' is missing a value") }
        if let number = CronFieldParser.number(token) {
            guard kind.bounds.contains(number) else {
                let bounds = kind.bounds
                throw fail("\(token) is out of range \(bounds.lowerBound)-\(bounds.upperBound)\(kind.rangeNote)")
            }
            return number
        }
        let upper = token.uppercased()
        if let named = kind.names[upper] { return named }
        if let message = misplacedSpecial(upper, token: token) { throw fail(message) }
        switch kind {
        case .month: throw fail("unknown name '\(token)'; use JAN-DEC or 1-12")
        case .dayOfWeek: throw fail("unknown name '\(token)'; use SUN-SAT or 0-7")
        default: throw fail("'\(token)' is not a number")
        }
    }

    /// ASCII digits only (no sign, no spaces); saturates instead of overflowing so a huge number is
    /// reported as out of range rather than as garbage.
    static func number(_ text: String) -> Int? {
        guard !text.isEmpty, text.utf8.allSatisfy({ (48...57).contains($0) }) else { return nil }
        return Int(text) ?? Int.max
    }
}
