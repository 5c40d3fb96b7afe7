import Foundation

/// `wloadctl workflow apply|list` against trigger-service.
enum WorkflowCommand {
    static func run(_ words: [String], context: CLIContext) async throws -> Int32 {
        guard let action = words.first else { throw CLIError.usage("missing workflow command", Usage.workflow) }
        let arguments = try Arguments(Array(words.dropFirst()), options: [.value("limit")], usage: Usage.workflow)
        switch action {
        case "apply":
            let file = try arguments.positionals(exactly: 1, "FILE", usage: Usage.workflow)[0]
            return try await apply(file, api: context.api())
        case "list":
            _ = try arguments.positionals(exactly: 0, "", usage: Usage.workflow)
            return try await list(api: context.api())
        case "history":
            let name = try arguments.positionals(exactly: 1, "NAME", usage: Usage.workflow)[0]
            let limit = try arguments.integer("limit", in: 1...200, usage: Usage.workflow)
            return try await history(name, limit: limit ?? 20, api: context.api())
        default:
            throw CLIError.usage("unknown workflow command '\(action)'", Usage.workflow)
        }
    }

    private static func apply(_ file: String, api: APIClient) async throws -> Int32 {
        let bytes = try read(file)
        let (status, stored) = try await api.call(WorkflowStored.self, "POST", "trigger-service", "/v1/workflows", body: bytes)
        if stored.created ?? (status == 201) {
            Output.line("workflow \(stored.name) version \(stored.version) stored")
        } else {
            Output.line("workflow \(stored.name) unchanged (version \(stored.version))")
        }
        return ExitCode.success
    }

    private static func list(api: APIClient) async throws -> Int32 {
        let (_, listing) = try await api.call(WorkflowListing.self, "GET", "trigger-service", "/v1/workflows")
        var table = Table("NAME", "VERSION", "TASKS", "CREATED")
        for workflow in listing.workflows {
            table.add(workflow.name, "\(workflow.version)", workflow.taskCount.map(String.init).orDash, workflow.createdAt.orDash)
        }
        Output.line(table.render())
        return ExitCode.success
    }

    /// Versions newest first, each followed by its changes against the version before.
    private static func history(_ name: String, limit: Int, api: APIClient) async throws -> Int32 {
        struct Version: Codable { let version: Int; let createdAt: String; let createdBy: String; let changes: [String] }
        struct History: Codable { let versions: [Version] }
        let (_, history) = try await api.call(History.self, "GET", "trigger-service", "/v1/workflows/\(name.escapedPathSegment)/versions?limit=\(limit)")
        for version in history.versions {
            Output.line("version \(version.version)  \(version.createdAt)  by \(version.createdBy)")
            for line in version.changes { Output.line("    \(line)") }
        }
        return ExitCode.success
    }

    /// The definition's bytes, sent unchanged so the service's validation sees what the user wrote.
    private static func read(_ file: String) throws -> [UInt8] {
        if file == "-" {
            return Array(FileHandle.standardInput.readDataToEndOfFile())
        }
        guard let data = FileManager.default.contents(atPath: file) else {
            throw CLIError("cannot read \(file)")
        }
        return Array(data)
    }
}
