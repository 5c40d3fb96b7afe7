import Contracts
import Foundation
import HTTP
import Runtime
import ServiceKit

/// agent: runs the attempts the dispatcher orders it to run on this host. Each agent reads a
/// topic of its own (`Topics.dispatch(agent:)`), in a consumer group of its own, and runs only
/// orders signed by the dispatcher, addressed to it and allowed by its local policy. It has no
/// database: an attempt is accepted by committing the dispatch offset before the process starts,
/// so a crash before that point leaves the order for the restarted agent, and a crash after it is
/// noticed by the dispatcher through the missing heartbeats (or the new session). `running` is
/// reported for attempts still running a moment after they started (`RunningReports`). A ledger
/// on local disk keeps a redelivered order from starting twice. Running attempts are stopped by
/// their timeout or by kill commands, which every agent reads.
enum Agent {
    @Sendable static func build(_ context: ProcessContext) async throws -> ServiceApp {
        let configuration = try AgentConfiguration(context.environment, instanceID: context.configuration.instanceID)
        try FileManager.default.createDirectory(atPath: configuration.workDirectory, withIntermediateDirectories: true)
        let supervisor = ProcessSupervisor()
        let slots = SlotBoard(capacity: configuration.slots)
        let consumer = try context.consumer(group: "agent.\(configuration.agentID)", topics: [Topics.dispatch(agent: configuration.agentID)])
        let control = AttemptControl(grace: configuration.killGrace, supervisor: supervisor)
        let killConsumer = try context.consumer(group: KillListener.group(configuration), topics: [Topics.agentControl], pace: .relaxed,
                                                properties: ["auto.offset.reset": "latest"])
        let kills = KillListener(context: context, consumer: killConsumer, control: control)
        let reports = ReportQueue(producer: context.producer)
        let running = RunningReports(delay: configuration.runningReportDelay, reports: reports, logger: context.logger)
        let runner = AttemptRunner(context: context, configuration: configuration, supervisor: supervisor, control: control,
                                   reports: reports, running: running)
        let ledger = try AttemptLedger(path: "\(configuration.workDirectory)/accepted-attempts")
        let gate = DispatchGate(verifier: configuration.verifier, agentID: configuration.agentID, session: configuration.session)
        let loop = DispatchLoop(context: context, consumer: consumer, gate: gate, planner: AttemptPlanner(configuration: configuration),
                                runner: runner, slots: slots, ledger: ledger)
        let heartbeat = Heartbeat(context: context, configuration: configuration, slots: slots)
        context.logger.info("agent ready", [LogKey.agent: configuration.agentID, "agent.session": configuration.session,
                                            "pools": configuration.pools.joined(separator: ","),
                                            "labels": configuration.labels.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
                                                .joined(separator: ","),
                                            "slots": "\(configuration.slots)", "user": configuration.identity.user,
                                            "policy": configuration.policyFile ?? "none",
                                            "simulate": configuration.simulation.map { "\($0.duration)" } ?? "off"])
        // Stopped in reverse order: the dispatch loop drains first, while kills still arrive.
        return ServiceApp(router: Router(), services: [kills, heartbeat, running, loop])
    }
}
