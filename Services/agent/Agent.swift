import Contracts
import Foundation
import HTTP
import Runtime
import ServiceKit

/// agent: runs the attempts dispatched to its pool on this host. Several agents share a pool as
/// one consumer group. It has no database: an attempt is accepted by reporting `running` (and
/// committing the dispatch offset) before the process starts, so a crash before that point lets
/// another agent take the message, and a crash after it is noticed by the dispatcher through the
/// missing heartbeats. A ledger on local disk keeps a redelivered dispatch from starting twice.
/// Running attempts are stopped by their timeout or by kill commands, which every agent reads.
enum Agent {
    @Sendable static func build(_ context: ProcessContext) async throws -> ServiceApp {
        let configuration = try AgentConfiguration(context.environment, instanceID: context.configuration.instanceID)
        try FileManager.default.createDirectory(atPath: configuration.workDirectory, withIntermediateDirectories: true)
        let supervisor = ProcessSupervisor()
        let slots = SlotBoard(capacity: configuration.slots)
        let consumer = try context.consumer(group: "agent.\(configuration.pool)", topics: [Topics.dispatch(pool: configuration.pool)])
        let control = AttemptControl(grace: configuration.killGrace, supervisor: supervisor)
        let killConsumer = try context.consumer(group: KillListener.group(configuration), topics: [Topics.agentControl],
                                                properties: ["auto.offset.reset": "latest"])
        let kills = KillListener(context: context, consumer: killConsumer, control: control)
        let runner = AttemptRunner(context: context, configuration: configuration, supervisor: supervisor, control: control)
        let ledger = try AttemptLedger(path: "\(configuration.workDirectory)/accepted-attempts")
        let loop = DispatchLoop(context: context, consumer: consumer, runner: runner, slots: slots, ledger: ledger)
        let heartbeat = Heartbeat(context: context, configuration: configuration, slots: slots)
        context.logger.info("agent ready", [LogKey.agent: configuration.agentID, LogKey.pool: configuration.pool,
                                            "slots": "\(configuration.slots)"])
        // Stopped in reverse order: the dispatch loop drains first, while kills still arrive.
        return ServiceApp(router: Router(), services: [kills, heartbeat, loop])
    }
}

/// The agent's settings, from `WL_AGENT_*` variables.
struct AgentConfiguration: Sendable {
    let agentID: String
    let pool: String
    let slots: Int
    let workDirectory: String
    let heartbeatInterval: Duration
    /// How long a task has between SIGTERM and SIGKILL when it is stopped (timeout or kill).
    let killGrace: Duration
    let host: String
    /// Random per process start: lets the dispatcher tell this run of the agent from an earlier
    /// one with the same id, whose attempts died with it.
    let session = UUID().key

    init(_ environment: Environment, instanceID: String) throws {
        agentID = environment.string("WL_AGENT_ID", default: instanceID)
        pool = environment.string("WL_AGENT_POOL", default: "default")
        slots = try environment.int("WL_AGENT_SLOTS", default: 8, range: 1...4_096)
        workDirectory = environment.string("WL_AGENT_WORKDIR", default: FileManager.default.currentDirectoryPath + "/.wloadctl/agents/\(agentID)")
        heartbeatInterval = try environment.seconds("WL_HEARTBEAT_INTERVAL", default: 2)
        killGrace = try environment.seconds("WL_KILL_GRACE", default: 5)
        host = ProcessInfo.processInfo.hostName
    }
}
