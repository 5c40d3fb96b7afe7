import Foundation

/// `wloadctl schedule list|pause|resume|fires` and `wloadctl backfill`, against trigger-service,
/// which owns the schedules and their fire records.
enum ScheduleCommands {
    static func schedule(_ words: [String], context: CLIContext) async throws -> Int32 {
        guard let action = words.first else { throw CLIError.usage("missing schedule command", Usage.schedule) }
        let rest = Array(words.dropFirst())
        switch action {
        case "list": return try await list(rest, context: context)
        case "pause": return try await setPaused(true, rest, context: context)
        case "resume": return try await setPaused(false, rest, context: context)
        case "fires": return try await fires(rest, context: context)
        default: throw CLIError.usage("unknown schedule command '\(action)'", Usage.schedule)
        }
    }

    private static func list(_ words: [String], context: CLIContext) async throws -> Int32 {
        let arguments = try Arguments(words, options: [.value("workflow")], usage: Usage.schedule)
        _ = try arguments.positionals(exactly: 0, "", usage: Usage.schedule)
        let path = "/v1/schedules" + (arguments.value("workflow").map { "?workflow=" + $0.escapedQueryValue } ?? "")
        let (_, listing) = try await context.api().call(ScheduleListing.self, "GET", "trigger-service", path)
        var table = Table("WORKFLOW", "SCHEDULE", "CRON", "ZONE", "STATE", "NEXT FIRE", "LAST FIRE")
        for schedule in listing.schedules {
            table.add(schedule.workflow, schedule.id, schedule.cron.orDash, schedule.timezone.orDash,
                      schedule.paused.map { $0 ? "paused" : "active" }.orDash, schedule.nextFireLocal.orDash,
                      schedule.lastFire.orDash)
        }
        Output.line(table.render())
        return ExitCode.success
    }

    private static func setPaused(_ paused: Bool, _ words: [String], context: CLIContext) async throws -> Int32 {
        let arguments = try Arguments(words, options: [], usage: Usage.schedule)
        let (workflow, id) = try scheduleArguments(arguments)
        let path = "/v1/schedules/\(workflow.escapedPathSegment)/\(id.escapedPathSegment)/\(paused ? "pause" : "resume")"
        let (_, summary) = try await context.api().call(ScheduleSummary.self, "POST", "trigger-service", path)
        if summary.paused ?? paused {
            // The service keeps the stored next fire while paused, but nothing fires until resumed.
            Output.line("schedule \(workflow)/\(id) paused (next fire -)")
        } else {
            Output.line("schedule \(workflow)/\(id) resumed; next fire \(summary.nextFireLocal.orDash)")
        }
        return ExitCode.success
    }

    private static func fires(_ words: [String], context: CLIContext) async throws -> Int32 {
        let arguments = try Arguments(words, options: [.value("limit")], usage: Usage.schedule)
        let (workflow, id) = try scheduleArguments(arguments)
        var path = "/v1/schedules/\(workflow.escapedPathSegment)/\(id.escapedPathSegment)/fires"
        if let limit = try arguments.integer("limit", in: 1...1000, usage: Usage.schedule) { path += "?limit=\(limit)" }
        let (_, listing) = try await context.api().call(FireListing.self, "GET", "trigger-service", path)
        var table = Table("LOGICAL TIME", "SOURCE", "STATE", "RUN", "REASON")
        for fire in listing.fires {
            table.add(fire.logicalTime.orDash, fire.source.orDash, fire.state.orDash, fire.runID.orDash, fire.reason.orDash)
        }
        Output.line(table.render())
        return ExitCode.success
    }

    /// `backfill WORKFLOW --from X --to Y [--schedule ID]`: the service reads the bounds in each
    /// schedule's zone and queues only fires that have not run, so repeating it is harmless.
    static func backfill(_ words: [String], context: CLIContext) async throws -> Int32 {
        let arguments = try Arguments(words, options: [.value("from"), .value("to"), .value("schedule")], usage: Usage.backfill)
        let workflow = try arguments.positionals(exactly: 1, "WORKFLOW", usage: Usage.backfill)[0]
        guard let from = arguments.value("from") else { throw CLIError.usage("--from is required", Usage.backfill) }
        guard let to = arguments.value("to") else { throw CLIError.usage("--to is required", Usage.backfill) }
        let body = try APIClient.body(BackfillRequest(from: from, to: to, schedule: arguments.value("schedule")))
        let (_, result) = try await context.api().call(BackfillResult.self, "POST", "trigger-service",
                                                       "/v1/workflows/\(workflow.escapedPathSegment)/backfill", body: body)
        Output.line("\(result.fires) fires in range, \(result.created) new runs queued (the rest already ran)")
        return ExitCode.success
    }

    private static func scheduleArguments(_ arguments: Arguments) throws(CLIError) -> (workflow: String, id: String) {
        let positionals = try arguments.positionals(exactly: 2, "WORKFLOW SCHEDULE_ID", usage: Usage.schedule)
        return (positionals[0], positionals[1])
    }
}
