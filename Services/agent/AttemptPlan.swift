import Contracts
import Foundation

/// Everything decided about an attempt before it is accepted: which file runs, as whom, where and
/// with which environment. Deciding it up front lets the policy refuse an order while it is still
/// being accepted (reported failed, never started), and makes the checked executable exactly the
/// one that is started.
struct AttemptPlan: Sendable {
    let order: DispatchOrder
    let files: AttemptFiles
    /// Absolute and normalised; nil when argv[0] is a bare name no PATH entry holds.
    let executable: String?
    /// The user to switch to; nil runs as the agent's own user.
    let user: UserAccount?
    let directory: String
    let environment: [String: String]

    var task: TaskSpec { order.task }
    var key: AttemptRef { order.key }
}

/// Turns verified orders into plans under the agent's policy.
struct AttemptPlanner: Sendable {
    let configuration: AgentConfiguration

    enum Outcome: Sendable {
        case run(AttemptPlan)
        /// The text after `policy: ` in the failed report.
        case refuse(String)
    }

    func plan(_ order: DispatchOrder) -> Outcome {
        let task = order.task
        let policy = configuration.policy
        if let refusal = policy.refusal(tenant: order.tenant) ?? policy.refusal(runAs: task.runAs, agent: configuration.identity) {
            return .refuse(refusal)
        }
        var user: UserAccount?
        if let name = task.runAs, name != configuration.identity.user {
            do { user = try UserAccount.named(name) } catch { return .refuse("cannot run as \(name): \(error)") }
        }
        let files = AttemptFiles(workDirectory: configuration.workDirectory, task: task, attempt: order.attempt)
        let directory = task.directory ?? user.map { files.directory(for: $0) } ?? files.directory
        let environment = environment(order, user: user, outputPath: files.output)
        let program = task.command.arguments.first ?? ""
        let executable = ExecutablePath.resolve(program, searchPath: environment["PATH"] ?? "", workingDirectory: directory) {
            access($0, X_OK) == 0
        }
        if let refusal = policy.refusal(executable: executable ?? program) {
            return .refuse(refusal)
        }
        return .run(AttemptPlan(order: order, files: files, executable: executable, user: user, directory: directory,
                                environment: environment))
    }

    /// What every task inherits from the agent's own environment, read once (the agent's
    /// environment does not change while it runs; reading it is costly at thousands of orders a second).
    static let base: [String: String] = {
        let inherited = ProcessInfo.processInfo.environment
        return [
            "PATH": inherited["PATH"] ?? "/usr/local/bin:/usr/bin:/bin",
            "HOME": inherited["HOME"] ?? "/",
            "LANG": inherited["LANG"] ?? "C.UTF-8",
        ]
    }()

    /// The task's environment: a minimal base (with the run-as user's home and name), the task's
    /// own variables, then the WL_ variables, which a task cannot override.
    func environment(_ order: DispatchOrder, user: UserAccount?, outputPath: String) -> [String: String] {
        var environment = Self.base
        if let user {
            environment["HOME"] = user.home
            environment["USER"] = user.name
            environment["LOGNAME"] = user.name
        }
        let task = order.task
        environment.merge(task.environment) { _, new in new }
        environment["WL_TENANT"] = order.tenant
        environment["WL_WORKFLOW"] = task.workflow
        environment["WL_RUN_ID"] = task.runID.key
        environment["WL_TASK_ID"] = task.taskID
        environment["WL_ATTEMPT"] = "\(order.attempt)"
        environment["WL_AGENT_ID"] = configuration.agentID
        environment["WL_OUTPUT"] = outputPath
        return environment
    }
}
