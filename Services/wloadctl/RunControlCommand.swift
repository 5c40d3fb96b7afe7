import Contracts
import Foundation

/// `wloadctl run rerun|pause|resume|mark|impact`: operators' controls, applied by the
/// dependency-resolver in order with everything else happening to the run.
enum RunControlCommand {
    static func rerun(_ words: [String], context: CLIContext) async throws -> Int32 {
        let arguments = try Arguments(words, options: [.flag("failed"), .value("from")], usage: Usage.run)
        let reference = try RunReference(try arguments.positionals(exactly: 1, "RUN", usage: Usage.run)[0], usage: Usage.run)
        var body: [String: String] = ["mode": "all"]
        if arguments.has("failed") { body["mode"] = "failed" }
        if let task = arguments.value("from") {
            guard body["mode"] == "all" else { throw CLIError.usage("use --failed or --from TASK, not both", Usage.run) }
            body = ["mode": "from", "task": task]
        }
        try await post(reference, "rerun", body: body, context: context)
        Output.line("run \(reference.id) rerun (\(body["mode"] ?? "all")\(body["task"].map { " \($0)" } ?? "")) requested")
        return ExitCode.success
    }

    static func pause(_ words: [String], context: CLIContext, resume: Bool) async throws -> Int32 {
        let arguments = try Arguments(words, options: [], usage: Usage.run)
        let reference = try RunReference(try arguments.positionals(exactly: 1, "RUN", usage: Usage.run)[0], usage: Usage.run)
        try await post(reference, resume ? "resume" : "pause", body: nil, context: context)
        Output.line("run \(reference.id) \(resume ? "resuming" : "pausing")")
        return ExitCode.success
    }

    static func mark(_ words: [String], context: CLIContext) async throws -> Int32 {
        let arguments = try Arguments(words, options: [], usage: Usage.run)
        let positionals = try arguments.positionals(exactly: 3, "RUN TASK succeeded|skipped", usage: Usage.run)
        let reference = try RunReference(positionals[0], usage: Usage.run)
        guard ["succeeded", "skipped"].contains(positionals[2]) else {
            throw CLIError.usage("a task can be marked succeeded or skipped, not '\(positionals[2])'", Usage.run)
        }
        try await post(reference, "tasks/\(positionals[1].escapedPathSegment)/mark", body: ["state": positionals[2]], context: context)
        Output.line("task \(positionals[1]) of run \(reference.id) marked \(positionals[2])")
        return ExitCode.success
    }

    static func impact(_ words: [String], context: CLIContext) async throws -> Int32 {
        let arguments = try Arguments(words, options: [.flag("json")], usage: Usage.run)
        let positionals = try arguments.positionals(exactly: 2, "RUN TASK", usage: Usage.run)
        let reference = try RunReference(positionals[0], usage: Usage.run)
        let api = reference.client(from: try context.api())
        let path = "/v1/runs/\(reference.escapedID)/impact?task=\(positionals[1].escapedQueryValue)"
        if arguments.has("json") {
            Output.line(String(decoding: try await api.send("GET", "dependency-resolver", path).body, as: UTF8.self))
            return ExitCode.success
        }
        let (_, report) = try await api.call(ImpactReport.self, "GET", "dependency-resolver", path)
        var table = Table("WORKFLOW", "BECAUSE", "TASKS")
        for entry in report.entries {
            table.add(entry.workflow, entry.cause, entry.tasks.isEmpty ? "-" : entry.tasks.joined(separator: ", "))
        }
        Output.line(table.render())
        return ExitCode.success
    }

    private static func post(_ reference: RunReference, _ action: String, body: [String: String]?, context: CLIContext) async throws {
        let api = reference.client(from: try context.api())
        try await api.perform("POST", "dependency-resolver", "/v1/runs/\(reference.escapedID)/\(action)",
                              body: try body.map { try WireCoding.encode($0) })
    }
}
