/// Why a cron expression was rejected, precise enough to show a user as is: the field, the field's
/// text, and what is wrong with it.
public struct CronError: Error, Sendable, Equatable, CustomStringConvertible {
    /// "second", "minute", "hour", "day-of-month", "month" or "day-of-week"; nil when the problem
    /// is the expression as a whole (field count, empty text, unsupported macro).
    public let field: String?
    /// What is wrong, naming the offending item (the whole field text is in `description`).
    public let message: String
    /// The field's text as written, kept so `description` can quote it.
    let fieldText: String?

    init(field: String?, fieldText: String?, message: String) {
        self.field = field
        self.fieldText = fieldText
        self.message = message
    }

    /// A whole-expression error.
    init(_ message: String) {
        self.init(field: nil, fieldText: nil, message: message)
    }

    /// "day-of-week field '8': 8 is out of range 0-7 (0 and 7 are Sunday)", or just the message for
    /// whole-expression errors ("expected 5 or 6 fields, got 4").
    public var description: String {
        guard let field else { return message }
        return "\(field) field '\(fieldText ?? "")': \(message)"
    }
}
