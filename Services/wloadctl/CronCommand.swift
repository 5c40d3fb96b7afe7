import Foundation
import Scheduling

/// `wloadctl cron next`: the fire times of a cron expression, computed locally by the same
/// `Scheduling` code the scheduler runs, so it needs no stack (and must not ask for one).
enum CronCommand {
    static let defaultCount = 5

    static func run(_ words: [String]) throws(CLIError) -> Int32 {
        guard let action = words.first else { throw .usage("missing cron command", Usage.cron) }
        switch action {
        case "next": return try next(Array(words.dropFirst()))
        default: throw .usage("unknown cron command '\(action)'", Usage.cron)
        }
    }

    private static func next(_ words: [String]) throws(CLIError) -> Int32 {
        let arguments = try Arguments(words, options: [.value("tz"), .value("from"), .value("count")], usage: Usage.cron)
        // Unquoted expressions arrive as several words; the fields are space-separated anyway.
        let text = arguments.positionals.joined(separator: " ")
        guard !text.trimmingCharacters(in: .whitespaces).isEmpty else { throw .usage("missing cron EXPR", Usage.cron) }
        let count = try arguments.integer("count", in: 1...1000, usage: Usage.cron) ?? defaultCount
        let zone = try zone(arguments.value("tz"))
        let expression: CronExpression
        do {
            expression = try CronExpression.parse(text)
        } catch {
            throw .usage("invalid cron expression '\(text)': \(error.description)", Usage.cron)
        }
        var from = Date()
        if let given = arguments.value("from") {
            guard let parsed = ISO8601Local.parse(given, in: zone) else {
                throw .usage("--from is not an ISO-8601 date or time: '\(given)'", Usage.cron)
            }
            from = parsed
        }
        let fires = ScheduleRule(cron: expression, timeZone: zone).fires(after: from, through: .distantFuture, limit: count)
        guard !fires.isEmpty else {
            throw CLIError("the expression never fires after \(ISO8601Local.format(from, in: zone))")
        }
        for fire in fires {
            Output.line(ISO8601Local.format(fire, in: zone))
        }
        return ExitCode.success
    }

    /// `--tz`, an IANA name; UTC when absent.
    private static func zone(_ name: String?) throws(CLIError) -> TimeZone {
        guard let name else { return TimeZones.named("UTC") ?? .gmt }
        guard let zone = TimeZones.named(name) else { throw .usage("unknown time zone '\(name)'", Usage.cron) }
        return zone
    }
}
