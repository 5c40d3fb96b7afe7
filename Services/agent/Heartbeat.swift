import Contracts
import Foundation
import Kafka
import Runtime
import ServiceKit

/// Tells the dispatcher and the CMDB this agent is alive, where it runs and how busy it is.
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
            let beat = AgentHeartbeat(agentID: configuration.agentID, session: configuration.session, host: configuration.host, pool: configuration.pool,
                                      slots: configuration.slots, running: slots.running, startedAt: startedAt)
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
