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
    let reports: ReportQueue
    let running: RunningReports
    static let tailBytes = 2_048

    func run(_ plan: AttemptPlan) async {
        let order = plan.order
        let task = order.task
        let logger = context.logger.with([LogKey.tenant: order.tenant, LogKey.run: task.runID.key, LogKey.task: task.taskID,
                                          LogKey.attempt: "\(order.attempt)"])
        var status = TaskStatus(runID: task.runID, taskID: task.taskID, attempt: order.attempt, state: .failed,
                                agentID: configuration.agentID, agentSession: configuration.session)
        let termination = control.admit(order)
        defer { control.release(order.key) }
        if let stop = termination.stopped {
            // A kill for this attempt came before its dispatch: it never starts.
            status.reason = stop.reason
            logger.info("attempt killed before it started", ["reason": stop.reason])
        } else {
            status.startedAt = Date()
            var began = status
            began.state = .running
            running.began(began, tenant: order.tenant)
            if let simulation = configuration.simulation {
                await simulation.perform(termination, into: &status)
            } else {
                await execute(plan, termination: termination, into: &status, logger: logger)
                status.outputTail = Self.tail(of: plan.files.log)
            }
            running.ended(order.key)
        }
        await reports.deliver(status, tenant: order.tenant, logger: logger)
    }

    private func execute(_ plan: AttemptPlan, termination: Termination, into status: inout TaskStatus, logger: Logger) async {
        let started = ContinuousClock.now
        let code: Int32
        do {
            let pid = try await start(plan)
            code = await supervise(pid, termination: termination, timeout: plan.task.timeoutSeconds)
        } catch {
            status.reason = "spawn: \(error)"
            logger.warning("attempt could not start", [LogKey.error: "\(error)"])
            return
        }
        conclude(&status, code: code, stop: termination.stopped, outputPath: plan.files.output)
        logger.info("attempt finished", ["exitCode": "\(code)", "state": status.state.rawValue, "reason": status.reason ?? "",
                                         "user": plan.user?.name ?? configuration.identity.user,
                                         LogKey.durationMs: "\(Int((ContinuousClock.now - started).inSeconds * 1000))"])
    }

    /// The last `tailBytes` of the attempt's log, nil when it is empty or unreadable. An `fstat`
    /// and one `pread`: most tasks' logs are empty, and this runs for every attempt.
    static func tail(of path: String) -> String? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, info.st_size > 0 else { return nil }
        let count = min(Int(info.st_size), tailBytes)
        var bytes = [UInt8](repeating: 0, count: count)
        let read = bytes.withUnsafeMutableBytes { pread(fd, $0.baseAddress, count, off_t(Int(info.st_size) - count)) }
        guard read > 0 else { return nil }
        return String(decoding: bytes[..<read], as: UTF8.self)
    }
}
