import LocalStack

/// `wloadctl stack up|down|status`: the local stack, detached so it outlives this command.
enum StackCommand {
    static func run(_ words: [String], context: CLIContext) async throws -> Int32 {
        let arguments = try Arguments(words, options: [], usage: Usage.stack)
        guard let action = arguments.positionals.first, arguments.positionals.count == 1 else {
            throw CLIError.usage(arguments.positionals.isEmpty ? "missing stack command" : "too many arguments", Usage.stack)
        }
        let stack = context.localStack()
        switch action {
        case "up":
            Output.line("starting the local stack under \(stack.configuration.root.path) (binaries: \(stack.configuration.binDirectory.path))")
            do {
                try await stack.up { Output.line("  " + $0) }
            } catch let error as StackError where [.exited, .timeout].contains(error.code) {
                throw CLIError("\(error)\n(logs: \(stack.configuration.root.path)/log; `wloadctl stack down` stops what started)")
            }
            Output.line("stack is up; endpoints in \(stack.manifestFile.path)")
            return ExitCode.success
        case "down":
            try await stack.down { Output.line("  " + $0) }
            Output.line("stack is down")
            return ExitCode.success
        case "status":
            return await status(stack)
        default:
            throw CLIError.usage("unknown stack command '\(action)'", Usage.stack)
        }
    }

    /// Prints the table; exits 1 unless every process runs and is healthy, so scripts can wait on it.
    private static func status(_ stack: Stack) async -> Int32 {
        let rows = await stack.status()
        var table = Table("NAME", "PID", "STATE", "HEALTH", "ADDRESS")
        for row in rows {
            table.add(row.name, row.pid.map(String.init).orDash, row.state.rawValue, row.health.description, row.address)
        }
        Output.line(table.render())
        let healthy = rows.filter { $0.state == .running && $0.health == .healthy }.count
        Output.line("\(healthy)/\(rows.count) healthy")
        return healthy == rows.count ? ExitCode.success : ExitCode.failure
    }
}
