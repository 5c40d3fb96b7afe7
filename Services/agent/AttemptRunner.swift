import Contracts
import Foundation
import Kafka
import Runtime
import ServiceKit

/// Runs one accepted attempt to its end and reports the outcome. The final report is retried
/// until Kafka takes it: an outcome must not be lost while this agent is alive.
struct AttemptRunner: Sendable {
    let context: ProcessContext
    let configuration: AgentConfiguration
    let supervisor: ProcessSupervisor
    static let tailBytes = 2_048

    func run(_ dispatch: Envelope<TaskDispatch>) async {
        let task = dispatch.payload.task
        let attempt = dispatch.payload.attempt
        let runKey = task.runID.key
        let logger = context.logger.with([LogKey.tenant: dispatch.tenant, LogKey.run: runKey, LogKey.task: task.taskID, LogKey.attempt: "\(attempt)"])
        let directory = "\(configuration.workDirectory)/runs/\(runKey)"
        let logPath = "\(directory)/\(task.taskID).\(attempt).log"
        var status = TaskStatus(runID: task.runID, taskID: task.taskID, attempt: attempt, state: .failed, agentID: configuration.agentID,
                                agentSession: configuration.session)
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            let started = ContinuousClock.now
            let code = try await supervisor.run(arguments: task.command.arguments, environment: environment(dispatch),
                                                directory: directory, logPath: logPath)
            status.exitCode = Int(code)
            status.state = code == 0 ? .succeeded : .failed
            logger.info("attempt finished", ["exitCode": "\(code)", LogKey.durationMs: "\(Int((ContinuousClock.now - started).inSeconds * 1000))"])
        } catch {
            status.reason = "spawn: \(error)"
            logger.warning("attempt could not start", [LogKey.error: "\(error)"])
        }
        status.outputTail = Self.tail(of: logPath)
        await report(status, tenant: dispatch.tenant, logger: logger)
    }

    /// The task's environment: a minimal base, the task's own variables, then the WL_ variables.
    private func environment(_ dispatch: Envelope<TaskDispatch>) -> [String: String] {
        let inherited = ProcessInfo.processInfo.environment
        var environment: [String: String] = [
            "PATH": inherited["PATH"] ?? "/usr/local/bin:/usr/bin:/bin",
            "HOME": inherited["HOME"] ?? "/",
            "LANG": inherited["LANG"] ?? "C.UTF-8",
        ]
        let task = dispatch.payload.task
        environment.merge(task.environment) { _, new in new }
        environment["WL_TENANT"] = dispatch.tenant
        environment["WL_WORKFLOW"] = task.workflow
        environment["WL_RUN_ID"] = task.runID.key
        environment["WL_TASK_ID"] = task.taskID
        environment["WL_ATTEMPT"] = "\(dispatch.payload.attempt)"
        environment["WL_AGENT_ID"] = configuration.agentID
        return environment
    }

    func report(_ status: TaskStatus, tenant: String, logger: Logger) async {
        var delay = Duration.milliseconds(100)
        while true {
            do {
                let message = KafkaOutgoingMessage(topic: Topics.tasksStatus, key: status.runID.key,
                                                   value: try Envelope(tenant: tenant, payload: status).encoded())
                try await context.producer.send([message])
                return
            } catch {
                logger.warning("status report not delivered; retrying", [LogKey.error: "\(error)", "state": status.state.rawValue])
                try? await Task.sleep(for: delay)
                delay = min(delay * 2, .seconds(5))
            }
        }
    }

    static func tail(of path: String) -> String? {
        guard let handle = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? handle.close() }
        guard let size = try? handle.seekToEnd() else { return nil }
        try? handle.seek(toOffset: size > UInt64(tailBytes) ? size - UInt64(tailBytes) : 0)
        guard let data = try? handle.readToEnd(), !data.isEmpty else { return nil }
        return String(decoding: data, as: UTF8.self)
    }
}
