import Foundation

/// `wloadctl run start|show|wait|summary|list|cancel` (and the controls in `RunControlCommand`): runs are started and cancelled at
/// trigger-service and read from dependency-resolver, which owns their state.
enum RunCommand {
    static func run(_ words: [String], context: CLIContext) async throws -> Int32 {
        guard let action = words.first else { throw CLIError.usage("missing run command", Usage.run) }
        let rest = Array(words.dropFirst())
        switch action {
        case "start": return try await start(rest, context: context)
        case "show": return try await show(rest, context: context)
        case "wait": return try await wait(rest, context: context)
        case "summary": return try await summary(rest, context: context)
        case "list": return try await list(rest, context: context)
        case "cancel": return try await cancel(rest, context: context)
        case "rerun": return try await RunControlCommand.rerun(rest, context: context)
        case "pause": return try await RunControlCommand.pause(rest, context: context, resume: false)
        case "resume": return try await RunControlCommand.pause(rest, context: context, resume: true)
        case "mark": return try await RunControlCommand.mark(rest, context: context)
        case "impact": return try await RunControlCommand.impact(rest, context: context)
        default: throw CLIError.usage("unknown run command '\(action)'", Usage.run)
        }
    }

    private static func start(_ words: [String], context: CLIContext) async throws -> Int32 {
        let arguments = try Arguments(words, options: [.value("param"), .flag("wait"), .value("timeout")], usage: Usage.run)
        let name = try arguments.positionals(exactly: 1, "workflow NAME", usage: Usage.run)[0]
        var parameters: [String: String] = [:]
        for pair in arguments.allValues("param") {
            guard let equals = pair.firstIndex(of: "="), equals != pair.startIndex else {
                throw CLIError.usage("--param needs KEY=VALUE, got '\(pair)'", Usage.run)
            }
            parameters[String(pair[..<equals])] = String(pair[pair.index(after: equals)...])
        }
        let timeout = try timeoutOption(arguments)
        if timeout != nil, !arguments.has("wait") {
            throw CLIError.usage("--timeout only applies with --wait", Usage.run)
        }
        let api = try context.api()
        let body = try APIClient.body(RunRequest(workflow: name, parameters: parameters))
        let (_, started) = try await api.call(RunStarted.self, "POST", "trigger-service", "/v1/runs", body: body)
        Output.line(started.id)
        guard arguments.has("wait") else { return ExitCode.success }
        let reference = try RunReference(started.id, usage: Usage.run)
        return try await RunWatcher(runs: [reference], api: api, timeout: timeout).wait()
    }

    private static func show(_ words: [String], context: CLIContext) async throws -> Int32 {
        let arguments = try Arguments(words, options: [.flag("json")], usage: Usage.run)
        let reference = try RunReference(try arguments.positionals(exactly: 1, "RUN", usage: Usage.run)[0], usage: Usage.run)
        let api = reference.client(from: try context.api())
        let run = try await fetch(reference, api: api)
        if arguments.has("json") {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.withoutEscapingSlashes]
            Output.line(String(decoding: try encoder.encode(RunJSON(run, tenant: run.tenant ?? api.tenantLabel)), as: UTF8.self))
            return ExitCode.success
        }
        Output.line("run \(run.id)")
        Output.line("workflow \(run.workflow)\(run.version.map { " version \($0)" } ?? "")  tenant \(run.tenant ?? api.tenantLabel)")
        Output.line("state \(run.state)  created \(run.createdAt.orDash)  finished \(run.finishedAt.orDash)")
        Output.line("")
        var table = Table("TASK", "STATE", "ATTEMPT", "EXIT", "AGENT", "REASON")
        for task in run.tasks {
            table.add(task.id, task.state, task.attempt.map(String.init).orDash, task.exitCode.map(String.init).orDash,
                      task.agent.orDash, (task.reason ?? task.waitingFor).orDash)
        }
        Output.line(table.render())
        return ExitCode.success
    }

    private static func wait(_ words: [String], context: CLIContext) async throws -> Int32 {
        let arguments = try Arguments(words, options: [.value("timeout")], usage: Usage.run)
        guard !arguments.positionals.isEmpty else { throw CLIError.usage("missing RUN", Usage.run) }
        let references = try arguments.positionals.map { text throws(CLIError) in try RunReference(text, usage: Usage.run) }
        return try await RunWatcher(runs: references, api: context.api(), timeout: timeoutOption(arguments)).wait()
    }

    /// One row per run; exits 0 iff every run succeeded (the demo's verdict).
    private static func summary(_ words: [String], context: CLIContext) async throws -> Int32 {
        let arguments = try Arguments(words, options: [], usage: Usage.run)
        guard !arguments.positionals.isEmpty else { throw CLIError.usage("missing RUN", Usage.run) }
        let references = try arguments.positionals.map { text throws(CLIError) in try RunReference(text, usage: Usage.run) }
        let api = try context.api()
        var table = Table("TENANT", "WORKFLOW", "RUN", "STATE", "TASKS SUCCEEDED")
        var allSucceeded = true
        for reference in references {
            let client = reference.client(from: api)
            let run = try await fetch(reference, api: client)
            allSucceeded = allSucceeded && run.state == "succeeded"
            table.add(run.tenant ?? client.tenantLabel, run.workflow, run.id, run.state,
                      "\(run.count("succeeded"))/\(run.tasks.count)")
        }
        Output.line(table.render())
        return allSucceeded ? ExitCode.success : ExitCode.failure
    }

    private static func list(_ words: [String], context: CLIContext) async throws -> Int32 {
        let arguments = try Arguments(words, options: [.value("workflow")], usage: Usage.run)
        _ = try arguments.positionals(exactly: 0, "", usage: Usage.run)
        var path = "/v1/runs?limit=50"
        if let workflow = arguments.value("workflow") {
            path += "&workflow=" + workflow.escapedQueryValue
        }
        let (_, listing) = try await context.api().call(RunListing.self, "GET", "dependency-resolver", path)
        var table = Table("RUN", "WORKFLOW", "STATE", "TASKS DONE", "CREATED", "FINISHED")
        for run in listing.runs {
            let done = run.tasksTotal.map { total in "\(total - (run.tasksOpen ?? 0))/\(total)" }
            table.add(run.id, run.workflow, run.state, done.orDash, run.createdAt.orDash, run.finishedAt.orDash)
        }
        Output.line(table.render())
        return ExitCode.success
    }

    /// Asks for the cancel; the resolver applies it (a finished run stays as it is), so this
    /// does not wait for the run to end.
    private static func cancel(_ words: [String], context: CLIContext) async throws -> Int32 {
        let arguments = try Arguments(words, options: [], usage: Usage.run)
        let reference = try RunReference(try arguments.positionals(exactly: 1, "RUN", usage: Usage.run)[0], usage: Usage.run)
        let api = reference.client(from: try context.api())
        _ = try await api.call(RunCancelled.self, "POST", "trigger-service", "/v1/runs/\(reference.escapedID)/cancel")
        Output.line("run \(reference.id) cancelling")
        return ExitCode.success
    }

    static func fetch(_ reference: RunReference, api: APIClient) async throws -> RunDetail {
        let answer = try await api.send("GET", "dependency-resolver", "/v1/runs/\(reference.escapedID)")
        if answer.status == 404 {
            throw CLIError("run \(reference.id) not found for tenant \(api.tenantLabel) (it may still be queued)")
        }
        guard (200..<300).contains(answer.status) else {
            throw APIClient.apiError(service: "dependency-resolver", status: answer.status, body: answer.body)
        }
        return try APIClient.decode(RunDetail.self, answer.body, service: "dependency-resolver")
    }

    private static func timeoutOption(_ arguments: Arguments) throws(CLIError) -> Duration? {
        guard let text = arguments.value("timeout") else { return nil }
        guard let seconds = Double(text), seconds > 0, seconds.isFinite else {
            throw .usage("--timeout needs a positive number of seconds, got '\(text)'", Usage.run)
        }
        return .milliseconds(Int64(seconds * 1000))
    }
}

extension CharacterSet {
    /// Query values: no `&`, `=`, `+` or `#`, which would split or change the query.
    static let urlQueryValueAllowed = CharacterSet.urlQueryAllowed.subtracting(["&", "=", "+", "#"])
}
