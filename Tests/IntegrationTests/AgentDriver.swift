import Contracts
import Foundation
import Kafka
import LocalStack
import Runtime
import ServiceKit
import Testing

/// Talks to a stack's agents the way the dispatcher and the resolver do: orders signed with the
/// stack's dispatch key go to an agent's own topic, kill commands to `wl.agents.control`; the
/// agents' reports are read back from `wl.tasks.status` and their heartbeats from
/// `wl.agents.heartbeat`.
final class AgentDriver {
    let producer: KafkaProducer
    let statuses: KafkaConsumer
    /// Created on first use: a consumer nobody polls only adds noise when the stack goes down.
    private var heartbeats: KafkaConsumer?
    private let kafka: KafkaConfiguration
    let signer: DispatchSigner
    let agentID: String
    let tenant: String
    private var seen: [TaskStatus] = []
    private var beats: [AgentHeartbeat] = []
    private var taskNumber = 0

    init(_ stack: Stack, agent agentID: String = "agent-1", tenant: String = "acme") throws {
        let configuration = KafkaConfiguration(bootstrapServers: stack.kafkaBootstrap)
        let logger = Logger(label: "agent-driver", level: .warning)
        producer = try KafkaProducer(configuration: configuration, logger: logger)
        statuses = try KafkaConsumer(configuration: configuration, groupID: "agent-driver.\(UUID().key)", topics: [Topics.tasksStatus],
                                     logger: logger)
        kafka = configuration
        signer = try DispatchSigner(secretKeyFile: stack.dispatchSigningKeyFile.path)
        self.agentID = agentID
        self.tenant = tenant
    }

    // MARK: - Orders

    func spec(_ command: Command, timeout: Int? = nil, directory: String? = nil, runAs: String? = nil,
              environment: [String: String] = [:]) -> TaskSpec {
        taskNumber += 1
        return TaskSpec(runID: UUID(), taskID: "t\(taskNumber)", workflow: "direct", pool: "default", command: command,
                        environment: environment, directory: directory, timeoutSeconds: timeout, runAs: runAs)
    }

    /// An order as the dispatcher creates it, issued now.
    func order(_ task: TaskSpec, attempt: Int = 1, tenant: String? = nil, agent: String? = nil, session: String? = nil) -> DispatchOrder {
        DispatchOrder(task: task, attempt: attempt, tenant: tenant ?? self.tenant, agentID: agent ?? agentID, agentSession: session,
                      issuedAt: Date())
    }

    func dispatch(_ command: Command, timeout: Int? = nil, directory: String? = nil, runAs: String? = nil,
                  environment: [String: String] = [:], tenant: String? = nil) async throws -> TaskSpec {
        let task = spec(command, timeout: timeout, directory: directory, runAs: runAs, environment: environment)
        try await send(order(task, tenant: tenant))
        return task
    }

    /// Signs `order` and sends it to the topic of `to` (the order's own agent unless given).
    func send(_ order: DispatchOrder, to agent: String? = nil, key: String? = nil) async throws {
        try await send(try signer.sign(order), tenant: order.tenant, to: agent ?? order.agentID, key: key ?? order.task.runID.key)
    }

    /// Signs `orders` as one batch (`TaskDispatches`) and sends it to `to`'s topic.
    func send(batch orders: [DispatchOrder], tenant: String? = nil, to agent: String, key: String) async throws {
        try await send(try signer.sign(orders), tenant: tenant ?? self.tenant, to: agent, key: key)
    }

    /// Sends a dispatch (`TaskDispatch` or `TaskDispatches`) as it is, signed or not.
    func send(_ dispatch: some MessagePayload, tenant: String, to agent: String, key: String) async throws {
        let envelope = Envelope(tenant: tenant, payload: dispatch)
        try await producer.send([KafkaOutgoingMessage(topic: Topics.dispatch(agent: agent), key: key, value: try envelope.encoded())])
    }

    func kill(_ task: TaskSpec, attempt: Int?, reason: String) async throws {
        let envelope = Envelope(tenant: tenant, payload: TaskKill(runID: task.runID, taskID: task.taskID, attempt: attempt, reason: reason))
        try await producer.send([KafkaOutgoingMessage(topic: Topics.agentControl, key: task.runID.key, value: try envelope.encoded())])
    }

    /// The agent reads kill commands from the end of the topic once its consumer has joined, so
    /// the kill is repeated until the attempt's final report arrives.
    func killUntilFinal(_ task: TaskSpec, attempt: Int? = nil, reason: String, within timeout: Duration) async throws -> TaskStatus {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            try await kill(task, attempt: attempt, reason: reason)
            let final = try await first(task, within: .seconds(1)) {
                (attempt == nil || $0.attempt == attempt) && ($0.state == .succeeded || $0.state == .failed)
            }
            if let final { return final }
        }
        throw AgentDriverError(description: "no final report for \(task.taskID) within \(timeout)")
    }

    // MARK: - Reports

    func final(_ task: TaskSpec, attempt: Int = 1, within timeout: Duration) async throws -> TaskStatus {
        try await status(task, within: timeout) { $0.attempt == attempt && ($0.state == .succeeded || $0.state == .failed) }
    }

    func status(_ task: TaskSpec, _ state: TaskStatus.State, attempt: Int = 1, within timeout: Duration) async throws -> TaskStatus {
        try await status(task, within: timeout) { $0.state == state && $0.attempt == attempt }
    }

    /// Every report seen so far for `task`, after reading what has arrived.
    func reports(_ task: TaskSpec) async throws -> [TaskStatus] {
        _ = try await first(task, within: .milliseconds(300)) { _ in false }
        return seen.filter { $0.runID == task.runID && $0.taskID == task.taskID }
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
            seen += messages.flatMap { (try? Envelope<TaskStatus>.unpack($0.value).map(\.payload)) ?? [] }
        }
    }

    // MARK: - Heartbeats

    /// Sends a heartbeat as this driver's agent would: alive, serving `default`, holding `attempts`.
    func beat(session: String, slots: Int = 10, attempts: [AttemptRef] = []) async throws {
        let beat = AgentHeartbeat(agentID: agentID, session: session, host: "driver", pools: ["default"], slots: slots,
                                  running: attempts.count, attempts: attempts, startedAt: Date())
        let envelope = Envelope(tenant: "platform", payload: beat)
        try await producer.send([KafkaOutgoingMessage(topic: Topics.agentsHeartbeat, key: agentID, value: try envelope.encoded())])
    }

    /// The first heartbeat of `agent` (this driver's by default) that satisfies `matches`.
    func heartbeat(of agent: String? = nil, within timeout: Duration,
                   where matches: (AgentHeartbeat) -> Bool = { _ in true }) async throws -> AgentHeartbeat {
        let agent = agent ?? agentID
        let deadline = ContinuousClock.now + timeout
        let heartbeats = try heartbeats ?? KafkaConsumer(configuration: kafka, groupID: "agent-driver-beats.\(UUID().key)",
                                                         topics: [Topics.agentsHeartbeat], logger: Logger(label: "agent-driver", level: .warning))
        self.heartbeats = heartbeats
        while true {
            if let beat = beats.last(where: { $0.agentID == agent && matches($0) }) { return beat }
            guard ContinuousClock.now < deadline else {
                throw AgentDriverError(description: "no matching heartbeat of \(agent) within \(timeout); last: \(String(describing: beats.last { $0.agentID == agent }))")
            }
            let messages = try await heartbeats.poll(maxMessages: 100, timeout: .milliseconds(300))
            beats += messages.compactMap { try? Envelope<AgentHeartbeat>.decode($0.value).payload }
        }
    }

    // MARK: - Processes

    /// True when the pid written to `file` no longer runs (gone, or exited and not reaped yet).
    static func isGone(pidIn file: String) -> Bool {
        guard let pid = pid(in: file) else { return false }
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8), let close = stat.lastIndex(of: ")") else { return true }
        return stat[stat.index(after: close)...].split(separator: " ").first == "Z"
    }

    static func pid(in file: String) -> Int32? {
        guard let text = try? String(contentsOfFile: file, encoding: .utf8) else { return nil }
        return Int32(text.trimmingCharacters(in: .whitespacesAndNewlines))
    }
}

struct AgentDriverError: Error, CustomStringConvertible {
    let description: String
}

extension Stack {
    /// An isolated stack for driving agents directly: everything but the dispatcher, whose
    /// place the test takes (a dispatcher would stop attempts it never leased, as superseded).
    static func withDirectAgents<T>(name: String, agents: Int = 1, configure: (inout StackConfiguration) -> Void = { _ in },
                                    isolation: isolated (any Actor)? = #isolation,
                                    _ body: (Stack) async throws -> T) async throws -> T {
        try await withIsolated(name: name, agents: agents, configure: { configuration in
            configuration.components.removeAll { $0.executable == "dispatcher" }
            configure(&configuration)
        }, isolation: isolation, body)
    }
}
