import Contracts
import Foundation
import Kafka
import LocalStack
import Runtime
import Testing

extension Integration {
    /// The agent's side of stopping tasks and reading their outputs, driven directly over Kafka:
    /// dispatches go straight to the pool's topic and kill commands to `wl.agents.control`, and
    /// the agent's reports are read back from `wl.tasks.status`.
    @Suite struct AgentControlTests {
        @Test func timeoutsAndKillCommandsStopTheWholeProcessGroup() async throws {
            try await Stack.withIsolated(name: "agent-control-kill", agents: 1, configure: { configuration in
                configuration.environment["agent-1"] = ["WL_KILL_GRACE": "1"]
            }) { stack in
                let agent = try AgentDriver(stack)
                let root = stack.configuration.root.path

                // A timeout: SIGTERM to the group takes the shell and both of its children.
                let childFile = "\(root)/timeout.child"
                let timedOut = try await agent.dispatch(.shell("sleep 300 & echo $! > '\(childFile)'; sleep 300; wait"), timeout: 1)
                let timeoutReport = try await agent.final(timedOut, within: .seconds(10))
                #expect(timeoutReport.state == .failed && timeoutReport.reason == "timeout" && timeoutReport.exitCode == 143,
                        "\(timeoutReport)")
                #expect(AgentDriver.isGone(pidIn: childFile), "the background child died with its group")

                // A task that ignores SIGTERM gets SIGKILL after the grace period.
                let stubborn = try await agent.dispatch(.shell("trap '' TERM; sleep 300"), timeout: 1)
                let stubbornReport = try await agent.final(stubborn, within: .seconds(10))
                #expect(stubbornReport.state == .failed && stubbornReport.reason == "timeout" && stubbornReport.exitCode == 137,
                        "\(stubbornReport)")

                // A kill command for a running attempt.
                let sleeperFile = "\(root)/kill.child"
                let sleeper = try await agent.dispatch(.shell("sleep 60 & echo $! > '\(sleeperFile)'; wait"))
                _ = try await agent.status(sleeper, .running, within: .seconds(10))
                #expect(try await StackAPI(stack).eventually { FileManager.default.fileExists(atPath: sleeperFile) })
                let reason = "cancelled: run cancelled by alice"
                let killed = try await agent.killUntilFinal(sleeper, reason: reason, within: .seconds(15))
                #expect(killed.state == .failed && killed.reason == reason, "\(killed)")
                #expect(AgentDriver.isGone(pidIn: sleeperFile), "the killed task's process is gone")

                // A kill that overtakes its dispatch: the attempt never starts. A dispatch created
                // after a kill naming no attempt belongs to a rerun and runs.
                let marker = "\(root)/ran"
                let early = agent.spec(.shell("echo $WL_ATTEMPT >> '\(marker)'"))
                let overtaken = agent.envelope(early, attempt: 1)
                try await agent.kill(early, attempt: nil, reason: "cancelled: early")
                try await Task.sleep(for: .seconds(1))
                try await agent.send(overtaken)
                let earlyReport = try await agent.final(early, within: .seconds(10))
                #expect(earlyReport.state == .failed && earlyReport.reason == "cancelled: early" && earlyReport.exitCode == nil,
                        "\(earlyReport)")
                try await agent.send(agent.envelope(early, attempt: 2))
                let rerun = try await agent.final(early, attempt: 2, within: .seconds(10))
                #expect(rerun.state == .succeeded, "\(rerun)")
                #expect((try? String(contentsOfFile: marker, encoding: .utf8)) == "2\n", "only the rerun ran")
            }
        }

        @Test func outputsAndWorkingDirectoryAreHonoured() async throws {
            try await Stack.withIsolated(name: "agent-control-outputs", agents: 1) { stack in
                let agent = try AgentDriver(stack)
                let good = try await agent.dispatch(.shell(#"echo rows=42 >> "$WL_OUTPUT"; echo '# note' >> "$WL_OUTPUT""#))
                let bad = try await agent.dispatch(.shell(#"echo rows=1 >> "$WL_OUTPUT"; echo 'not a pair' >> "$WL_OUTPUT""#))
                let silent = try await agent.dispatch(.shell("true"))
                let failing = try await agent.dispatch(.shell(#"echo rows=1 >> "$WL_OUTPUT"; exit 3"#))

                let goodReport = try await agent.final(good, within: .seconds(20))
                #expect(goodReport.state == .succeeded && goodReport.outputs == ["rows": "42"], "\(goodReport)")
                let badReport = try await agent.final(bad, within: .seconds(20))
                #expect(badReport.state == .failed && badReport.reason?.hasPrefix("output: line 2:") == true && badReport.exitCode == 0,
                        "\(badReport)")
                let silentReport = try await agent.final(silent, within: .seconds(20))
                #expect(silentReport.state == .succeeded && silentReport.outputs == nil, "\(silentReport)")
                let failingReport = try await agent.final(failing, within: .seconds(20))
                #expect(failingReport.state == .failed && failingReport.exitCode == 3 && failingReport.outputs == nil, "\(failingReport)")

                let directory = stack.configuration.root.appendingPathComponent("workspace").path
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
                let located = try await agent.dispatch(.shell(#"echo "cwd=$(pwd)" >> "$WL_OUTPUT""#), directory: directory)
                let locatedReport = try await agent.final(located, within: .seconds(20))
                #expect(locatedReport.state == .succeeded && locatedReport.outputs == ["cwd": directory], "\(locatedReport)")
                let missing = try await agent.dispatch(.shell("true"), directory: "\(directory)/missing")
                let missingReport = try await agent.final(missing, within: .seconds(20))
                #expect(missingReport.state == .failed
                        && missingReport.reason == "spawn: working directory \(directory)/missing does not exist", "\(missingReport)")
            }
        }
    }
}

/// Talks to the stack's agent the way the dispatcher and the resolver do, and reads its reports.
private final class AgentDriver {
    let producer: KafkaProducer
    let statuses: KafkaConsumer
    private var seen: [TaskStatus] = []
    private var taskNumber = 0

    init(_ stack: Stack) throws {
        let configuration = KafkaConfiguration(bootstrapServers: stack.kafkaBootstrap)
        let logger = Logger(label: "agent-control-test", level: .warning)
        producer = try KafkaProducer(configuration: configuration, logger: logger)
        statuses = try KafkaConsumer(configuration: configuration, groupID: "agent-control-test.\(UUID().key)",
                                     topics: [Topics.tasksStatus], logger: logger)
    }

    func spec(_ command: Command, timeout: Int? = nil, directory: String? = nil) -> TaskSpec {
        taskNumber += 1
        return TaskSpec(runID: UUID(), taskID: "t\(taskNumber)", workflow: "direct", pool: "default", command: command,
                        environment: [:], directory: directory, timeoutSeconds: timeout)
    }

    func dispatch(_ command: Command, timeout: Int? = nil, directory: String? = nil) async throws -> TaskSpec {
        let task = spec(command, timeout: timeout, directory: directory)
        try await send(envelope(task))
        return task
    }

    /// A dispatch as the dispatcher creates it (its time is the envelope's).
    func envelope(_ task: TaskSpec, attempt: Int = 1) -> Envelope<TaskDispatch> {
        Envelope(tenant: "acme", payload: TaskDispatch(task: task, attempt: attempt))
    }

    func send(_ dispatch: Envelope<TaskDispatch>) async throws {
        let task = dispatch.payload.task
        try await producer.send([KafkaOutgoingMessage(topic: Topics.dispatch(pool: "default"), key: "\(task.runID.key)/\(task.taskID)",
                                                      value: try dispatch.encoded())])
    }

    func kill(_ task: TaskSpec, attempt: Int?, reason: String) async throws {
        let envelope = Envelope(tenant: "acme", payload: TaskKill(runID: task.runID, taskID: task.taskID, attempt: attempt, reason: reason))
        try await producer.send([KafkaOutgoingMessage(topic: Topics.agentControl, key: task.runID.key, value: try envelope.encoded())])
    }

    /// The agent reads kill commands from the end of the topic once its consumer has joined, so
    /// the kill is repeated until the attempt's final report arrives.
    func killUntilFinal(_ task: TaskSpec, reason: String, within timeout: Duration) async throws -> TaskStatus {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            try await kill(task, attempt: nil, reason: reason)
            if let report = try await first(task, within: .seconds(1), where: { $0.state == .succeeded || $0.state == .failed }) {
                return report
            }
        }
        throw AgentDriverError(description: "no final report for \(task.taskID) within \(timeout)")
    }

    func final(_ task: TaskSpec, attempt: Int = 1, within timeout: Duration) async throws -> TaskStatus {
        try await status(task, within: timeout) { $0.attempt == attempt && ($0.state == .succeeded || $0.state == .failed) }
    }

    func status(_ task: TaskSpec, _ state: TaskStatus.State, within timeout: Duration) async throws -> TaskStatus {
        try await status(task, within: timeout) { $0.state == state }
    }

    private func status(_ task: TaskSpec, within timeout: Duration, where matches: (TaskStatus) -> Bool) async throws -> TaskStatus {
        guard let report = try await first(task, within: timeout, where: matches) else {
            throw AgentDriverError(description: "no matching report for \(task.taskID) within \(timeout); saw \(seen.filter { $0.runID == task.runID })")
        }
        return report
    }

    private func first(_ task: TaskSpec, within timeout: Duration, where matches: (TaskStatus) -> Bool) async throws -> TaskStatus? {
        let deadline = ContinuousClock.now + timeout
        while true {
            if let report = seen.first(where: { $0.runID == task.runID && $0.taskID == task.taskID && matches($0) }) { return report }
            guard ContinuousClock.now < deadline else { return nil }
            let messages = try await statuses.poll(maxMessages: 100, timeout: .milliseconds(200))
            seen += messages.compactMap { try? Envelope<TaskStatus>.decode($0.value).payload }
        }
    }

    /// True when the pid written to `file` no longer runs (gone, or exited and not reaped yet).
    static func isGone(pidIn file: String) -> Bool {
        guard let text = try? String(contentsOfFile: file, encoding: .utf8), let pid = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            return false
        }
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8), let close = stat.lastIndex(of: ")") else { return true }
        return stat[stat.index(after: close)...].split(separator: " ").first == "Z"
    }
}

private struct AgentDriverError: Error, CustomStringConvertible {
    let description: String
}
