/// The six cron fields and what each accepts, kept in one table so that parsing and error
/// messages agree on names, bounds and aliases.
enum CronFieldKind: Sendable, CaseIterable {
    case second, minute, hour, dayOfMonth, month, dayOfWeek

    /// The name used in `CronError.field` and in messages.
    var name: String {
        switch self {
        case .second: "second"
        case .minute: "minute"
        case .hour: "hour"
        case .dayOfMonth: "day-of-month"
        case .month: "month"
        case .dayOfWeek: "day-of-week"
        }
    }

    /// Values a user may write; day-of-week allows 7 because Vixie cron (and many crontabs) spell
    /// Sunday that way.
    var bounds: ClosedRange<Int> {
        switch self {
        case .second, .minute: 0...59
        case .hour: 0...23
        case .dayOfMonth: 1...31
        case .month: 1...12
        case .dayOfWeek: 0...7
        }
    }

    /// Where `*` and `a/n` stop. Day-of-week stops at 6 so `1/2` means Mon, Wed, Fri rather than
    /// also picking up Sunday as 7; an explicit `1-7/2` still reaches 7.
    var wildcardUpperBound: Int {
        self == .dayOfWeek ? 6 : bounds.upperBound
    }

    /// `?` is a Quartz-ism meaning "no restriction"; it only makes sense where two fields compete.
    var allowsQuestionMark: Bool {
        self == .dayOfMonth || self == .dayOfWeek
    }

    var rangeNote: String {
        self == .dayOfWeek ? " (0 and 7 are Sunday)" : ""
    }

    /// Three-letter aliases, matched case-insensitively.
    var names: [String: Int] {
        switch self {
        case .month: CronFieldKind.monthNames
        case .dayOfWeek: CronFieldKind.weekdayNames
        default: [:]
        }
    }

    private static let monthNames: [String: Int] = [
        "JAN": 1, "FEB": 2, "MAR": 3, "APR": 4, "MAY": 5, "JUN": 6,
        "JUL": 7, "AUG": 8, "SEP": 9, "OCT": 10, "NOV": 11, "DEC": 12,
    ]

    private static let weekdayNames: [String: Int] = [
        "SUN": 0, "MON": 1, "TUE": 2, "WED": 3, "THU": 4, "FRI": 5, "SAT": 6,
    ]

    /// The field order of a six-field expression; five-field expressions drop `second`.
    static func layout(fieldCount: Int) -> [CronFieldKind] {
        fieldCount == 6 ? allCases : Array(allCases.dropFirst())
    }
}
