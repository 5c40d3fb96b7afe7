/// Command dispatch, kept apart from `main.swift` so the whole CLI is a function of its words.
enum WLoadCtl {
    static func main(_ arguments: [String]) async -> Int32 {
        do {
            let global = try GlobalOptions(arguments)
            let context = CLIContext(tenant: global.tenant)
            guard let command = global.words.first else {
                throw CLIError.usage("missing command")
            }
            let rest = Array(global.words.dropFirst())
            switch command {
            case "stack": return try await StackCommand.run(rest, context: context)
            case "dispatch-keys": return try DispatchKeysCommand.run(rest)
            case "workflow": return try await WorkflowCommand.run(rest, context: context)
            case "run": return try await RunCommand.run(rest, context: context)
            case "cron": return try CronCommand.run(rest)
            case "schedule": return try await ScheduleCommands.schedule(rest, context: context)
            case "backfill": return try await ScheduleCommands.backfill(rest, context: context)
            case "calendar": return try await CalendarCommand.run(rest, context: context)
            case "webhook": return try await WebhookCommand.run(rest, context: context)
            case "audit": return try await OperationsCommands.audit(rest, context: context)
            case "resources": return try await OperationsCommands.resources(rest, context: context)
            case "alert": return try await OperationsCommands.alert(rest, context: context)
            case "quota": return try await GovernanceCommands.quota(rest, context: context)
            case "throttle": return try await GovernanceCommands.throttle(rest, context: context)
            case "queue": return try await GovernanceCommands.queue(rest, context: context)
            case "agent": return try await AgentCommands.agent(rest, context: context)
            case "pool": return try await AgentCommands.pool(rest, context: context)
            case "tenant": return try await TenantCommand.run(rest, context: context)
            case "token": return try await TokenCommand.run(rest, context: context)
            case "whoami": return try await TenantCommand.whoami(rest, context: context)
            case "help", "--help", "-h":
                Output.line(Usage.text)
                return ExitCode.success
            default:
                throw CLIError.usage("unknown command '\(command)'")
            }
        } catch let error as CLIError {
            Output.error("error: \(error.message)")
            if let usage = error.usage { Output.error("\n" + usage) }
            return error.exitCode
        } catch {
            Output.error("error: \(error)")
            return ExitCode.failure
        }
    }
}
