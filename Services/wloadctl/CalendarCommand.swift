import Foundation

/// `wloadctl calendar put|list|show|delete`: a tenant's business calendars (lists of dates that
/// schedules exclude or are limited to) at trigger-service.
enum CalendarCommand {
    static func run(_ words: [String], context: CLIContext) async throws -> Int32 {
        guard let action = words.first else { throw CLIError.usage("missing calendar command", Usage.calendar) }
        let rest = Array(words.dropFirst())
        switch action {
        case "put": return try await put(rest, context: context)
        case "list": return try await list(rest, context: context)
        case "show": return try await show(rest, context: context)
        case "delete": return try await delete(rest, context: context)
        default: throw CLIError.usage("unknown calendar command '\(action)'", Usage.calendar)
        }
    }

    /// Replaces the calendar's dates with those given; the service recomputes every schedule that
    /// names it and refuses the change if one would never fire again.
    private static func put(_ words: [String], context: CLIContext) async throws -> Int32 {
        let arguments = try Arguments(words, options: [.value("file"), .value("description")], usage: Usage.calendar)
        guard let name = arguments.positionals.first else { throw CLIError.usage("missing calendar NAME", Usage.calendar) }
        var dates: [String] = []
        for text in arguments.positionals.dropFirst() {
            guard DateList.isDate(text) else { throw CLIError.usage("'\(text)' is not a date (YYYY-MM-DD)", Usage.calendar) }
            dates.append(text)
        }
        for file in arguments.allValues("file") {
            dates += try DateList.read(file)
        }
        guard !dates.isEmpty else { throw CLIError.usage("missing DATE (give dates or --file)", Usage.calendar) }
        let body = try APIClient.body(CalendarRequest(dates: dates, description: arguments.value("description")))
        try await context.api().perform("PUT", "trigger-service", "/v1/calendars/\(name.escapedPathSegment)", body: body)
        let count = Set(dates).count
        Output.line("calendar \(name) stored (\(count) date\(count == 1 ? "" : "s"))")
        return ExitCode.success
    }

    private static func list(_ words: [String], context: CLIContext) async throws -> Int32 {
        let arguments = try Arguments(words, options: [], usage: Usage.calendar)
        _ = try arguments.positionals(exactly: 0, "", usage: Usage.calendar)
        let (_, listing) = try await context.api().call(CalendarListing.self, "GET", "trigger-service", "/v1/calendars")
        var table = Table("NAME", "DATES", "UPDATED")
        for calendar in listing.calendars {
            table.add(calendar.name, calendar.dates.map { "\($0.count)" }.orDash, calendar.updatedAt.orDash)
        }
        Output.line(table.render())
        return ExitCode.success
    }

    private static func show(_ words: [String], context: CLIContext) async throws -> Int32 {
        let arguments = try Arguments(words, options: [], usage: Usage.calendar)
        let name = try arguments.positionals(exactly: 1, "calendar NAME", usage: Usage.calendar)[0]
        let (_, calendar) = try await context.api().call(CalendarDetail.self, "GET", "trigger-service",
                                                         "/v1/calendars/\(name.escapedPathSegment)")
        Output.line("calendar \(calendar.name)")
        Output.line("description \(calendar.description.orDash)")
        for date in calendar.dates ?? [] {
            Output.line(date)
        }
        return ExitCode.success
    }

    private static func delete(_ words: [String], context: CLIContext) async throws -> Int32 {
        let arguments = try Arguments(words, options: [], usage: Usage.calendar)
        let name = try arguments.positionals(exactly: 1, "calendar NAME", usage: Usage.calendar)[0]
        try await context.api().perform("DELETE", "trigger-service", "/v1/calendars/\(name.escapedPathSegment)")
        Output.line("calendar \(name) deleted")
        return ExitCode.success
    }
}

/// Dates for `calendar put --file`: one per line; blank lines and `#` comments are skipped.
enum DateList {
    /// The dates of `file` (`-` for stdin), each checked for shape so a typo is reported with its
    /// line; whether the date exists (no 2026-02-30) is the service's check.
    static func read(_ file: String) throws(CLIError) -> [String] {
        let data = file == "-" ? FileHandle.standardInput.readDataToEndOfFile() : FileManager.default.contents(atPath: file)
        guard let data else { throw CLIError("cannot read \(file)") }
        return try parse(String(decoding: data, as: UTF8.self), source: file == "-" ? "stdin" : file)
    }

    static func parse(_ text: String, source: String) throws(CLIError) -> [String] {
        var dates: [String] = []
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let entry = line.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !entry.isEmpty, !entry.hasPrefix("#") else { continue }
            guard isDate(entry) else { throw CLIError("\(source):\(index + 1): '\(entry)' is not a date (YYYY-MM-DD)") }
            dates.append(entry)
        }
        return dates
    }

    /// `YYYY-MM-DD` in ASCII digits.
    static func isDate(_ text: String) -> Bool {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        return parts.map(\.count) == [4, 2, 2] && parts.allSatisfy { $0.allSatisfy { $0.isASCII && $0.isNumber } }
    }
}
