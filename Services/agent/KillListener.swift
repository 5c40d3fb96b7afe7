import Contracts
import Kafka
import Runtime
import ServiceKit

/// Reads every kill command (`wl.agents.control`) and hands it to `AttemptControl`. Every agent
/// must see every kill, so each agent process reads in a consumer group of its own, from the
/// end of the topic (`auto.offset.reset=latest`), and never commits: a kill published while this
/// process was not running is about attempts that died with the previous process anyway. It is
/// listed before the dispatch loop so it stops after it: kills still work while a draining agent
/// waits for its attempts.
struct KillListener: Service {
    let name = "kill-listener"
    let context: ProcessContext
    let consumer: KafkaConsumer
    let control: AttemptControl

    /// The consumer group of this agent process alone.
    static func group(_ configuration: AgentConfiguration) -> String {
        "agent-control.\(configuration.agentID).\(configuration.session)"
    }

    func run() async throws {
        while !Task.isCancelled {
            let messages: [KafkaMessage]
            do {
                messages = try await consumer.poll(maxMessages: 100, timeout: .milliseconds(500))
            } catch let error as KafkaError where error.isRetriable {
                // Stopping the agent would kill every task it runs; a kill can wait a second.
                context.logger.warning("kill commands not polled; retrying", [LogKey.error: "\(error)"])
                await Task.pause(.seconds(1))
                continue
            }
            messages.forEach(handle)
        }
        await consumer.close()
    }

    private func handle(_ message: KafkaMessage) {
        let kill: Envelope<TaskKill>
        do { kill = try Envelope<TaskKill>.decode(message.value) } catch {
            context.logger.error("undecodable kill command skipped", [LogKey.topic: message.topic, LogKey.offset: "\(message.offset)",
                                                                      LogKey.error: "\(error)"])
            return
        }
        let stopped = control.apply(kill.payload, issuedAt: kill.occurredAt)
        guard stopped > 0 else { return }
        context.logger.info("kill command stopping attempt", [LogKey.tenant: kill.tenant, LogKey.run: kill.payload.runID.key,
                                                               LogKey.task: kill.payload.taskID,
                                                               LogKey.attempt: kill.payload.attempt.map { "\($0)" } ?? "any",
                                                               "reason": kill.payload.reason])
    }
}
