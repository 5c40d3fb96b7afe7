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
    let control: AttemptControl
    static let tailBytes = 2_048

    func run(_ dispatch: Envelope<TaskDispatch>) async {
        let task = dispatch.payload.task
        let attempt = dispatch.payload.attempt
        let logger = context.logger.with([LogKey.tenant: dispatch.tenant, LogKey.run: task.runID.key, LogKey.task: task.taskID,
                                          LogKey.attempt: "\(attempt)"])
        let files = AttemptFiles(workDirectory: configuration.workDirectory, task: task, attempt: attempt)
        var status = TaskStatus(runID: task.runID, taskID: task.taskID, attempt: attempt, state: .failed, agentID: configuration.agentID,
                                agentSession: configuration.session)
        let termination = control.admit(dispatch)
        defer { control.release(task, attempt: attempt) }
        if let stop = termination.stopped {
            // A kill for this attempt came before its dispatch: it never starts.
            status.reason = stop.reason
            logger.info("attempt killed before it started", ["reason": stop.reason])
        } else {
            await execute(dispatch, files: files, termination: termination, into: &status, logger: logger)
        }
        status.outputTail = Self.tail(of: files.log)
        await report(status, tenant: dispatch.tenant, logger: logger)
    }

    private func execute(_ dispatch: Envelope<TaskDispatch>, files: AttemptFiles, termination: Termination,
                         into status: inout TaskStatus, logger: Logger) async {
        let started = ContinuousClock.now
        let code: Int32
        do {
            let pid = try await start(dispatch, files: files)
            code = await supervise(pid, termination: termination, timeout: dispatch.payload.task.timeoutSeconds)
        } catch {
            status.reason = "spawn: \(error)"
            logger.warning("attempt could not start", [LogKey.error: "\(error)"])
            return
        }
        conclude(&status, code: code, stop: termination.stopped, outputPath: files.output)
        logger.info("attempt finished", ["exitCode": "\(code)", "state": status.state.rawValue, "reason": status.reason ?? "",
                                         LogKey.durationMs: "\(Int((ContinuousClock.now - started).inSeconds * 1000))"])
    }

    /// The task's environment: a minimal base, the task's own variables, then the WL_ variables.
    func environment(_ dispatch: Envelope<TaskDispatch>, outputPath: String) -> [String: String] {
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
        environment["WL_OUTPUT"] = outputPath
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
