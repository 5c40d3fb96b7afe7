import Contracts
import Foundation
import Kafka
import Runtime
import ServiceKit

/// Tells the dispatcher and the CMDB this agent is alive, where it runs, what it offers (pools,
/// labels, slots) and how busy it is: the attempts it runs, so the dispatcher can stop one it has
/// since given to another agent, and the host's load, so it can steer work away from a busy host.
struct Heartbeat: Service {
    let name = "heartbeat"
    let context: ProcessContext
    let configuration: AgentConfiguration
    let slots: SlotBoard
    private let startedAt = Date()

    init(context: ProcessContext, configuration: AgentConfiguration, slots: SlotBoard) {
        self.context = context
        self.configuration = configuration
        self.slots = slots
    }

    func run() async throws {
        while !Task.isCancelled {
            let attempts = slots.current
            let beat = AgentHeartbeat(agentID: configuration.agentID, session: configuration.session, host: configuration.host,
                                      pools: configuration.pools, labels: configuration.labels, slots: configuration.slots,
                                      running: attempts.count,
                                      load: configuration.simulation == nil ? HostLoad.perCPU() : nil, attempts: attempts, startedAt: startedAt)
            do {
                let message = KafkaOutgoingMessage(topic: Topics.agentsHeartbeat, key: configuration.agentID,
                                                   value: try Envelope(tenant: "platform", payload: beat).encoded())
                try await context.producer.send([message])
            } catch {
                context.logger.warning("heartbeat not delivered", [LogKey.error: "\(error)"])
            }
            await Task.pause(configuration.heartbeatInterval)
        }
    }
}

/// The host's load as the dispatcher compares it across agents of different sizes.
enum HostLoad {
    /// The 1-minute load average over the number of CPUs this process may use (1.0 = every CPU
    /// busy); nil where `/proc/loadavg` cannot be read.
    static func perCPU(loadavg path: String = "/proc/loadavg") -> Double? {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8),
              let first = text.split(separator: " ").first, let load = Double(first) else { return nil }
        return load / Double(max(1, ProcessInfo.processInfo.activeProcessorCount))
    }
}
