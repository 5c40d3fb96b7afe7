import Contracts
import Foundation
import Kafka
import Postgres
import Runtime
import ServiceKit

/// Kafka-topic triggers: consumes every topic some workflow's `events` names and starts a run for
/// each message that matches a trigger's filter. The subscription follows the applied
/// definitions (re-read every `refreshInterval`). Instances share the topics' partitions through
/// one consumer group; a run's idempotency key is the message's position, so a redelivered
/// message never starts a second run, and offsets are committed only after the runs are stored.
struct EventTriggerConsumer: Service {
    let name = "event-triggers"
    static let group = "trigger-service.events"

    let context: ServiceContext
    let refreshInterval: Duration

    private static let started = Metrics.shared.counter("wl_event_trigger_runs_total", help: "Runs started by Kafka-topic triggers")

    func run() async throws {
        while !Task.isCancelled {
            do {
                try await consume()
            } catch {
                if Task.isCancelled { return }
                context.logger.error("event trigger consumer failed; restarting", [LogKey.error: "\(error)"])
                await Task.pause(.seconds(2))
            }
        }
    }

    private func consume() async throws {
        var subscription: (topics: Set<String>, consumer: KafkaConsumer?) = ([], nil)
        var triggers: [String: [EventTriggerStore.Trigger]] = [:]
        var refreshed = ContinuousClock.now - refreshInterval
        do {
            try await consumeLoop(&subscription, &triggers, &refreshed)
        } catch {
            await subscription.consumer?.close()
            throw error
        }
        await subscription.consumer?.close()
    }

    private func consumeLoop(_ subscription: inout (topics: Set<String>, consumer: KafkaConsumer?),
                             _ triggers: inout [String: [EventTriggerStore.Trigger]],
                             _ refreshed: inout ContinuousClock.Instant) async throws {
        while !Task.isCancelled {
            if ContinuousClock.now - refreshed >= refreshInterval {
                triggers = Dictionary(grouping: try await context.database.withConnection(EventTriggerStore.all), by: \.spec.topic)
                refreshed = .now
                subscription = try await resubscribe(subscription, to: Set(triggers.keys))
            }
            guard let consumer = subscription.consumer else {
                await Task.pause(refreshInterval)
                continue
            }
            let messages = try await consumer.poll(maxMessages: 500, timeout: .milliseconds(200))
            guard !messages.isEmpty else { continue }
            let (snapshot, logger) = (triggers, context.logger)
            let count = try await context.transaction { connection, outbox in
                try messages.reduce(0) { total, message in
                    total + (try Self.handle(message, triggers: snapshot[message.topic] ?? [], connection, outbox, logger))
                }
            }
            Self.started.increment(by: count)
            do { try await consumer.commit(messages) } catch let error as KafkaError where error.code == .commit {
                logger.warning("event offsets not committed; redelivery is deduplicated", [LogKey.error: "\(error)"])
            }
        }
    }

    private func resubscribe(_ current: (topics: Set<String>, consumer: KafkaConsumer?),
                             to topics: Set<String>) async throws -> (topics: Set<String>, consumer: KafkaConsumer?) {
        guard topics != current.topics else { return current }
        await current.consumer?.close()
        context.logger.info("event trigger topics changed", ["topics": topics.sorted().joined(separator: ",")])
        guard !topics.isEmpty else { return (topics, nil) }
        return (topics, try context.process.consumer(group: Self.group, topics: topics.sorted(), pace: .relaxed))
    }

    /// Starts a run for every trigger of the message's topic that it matches; returns how many.
    /// A message that is not a JSON object, or whose fields cannot be parameters, starts nothing
    /// and is logged: an external topic's bad message must not stall the consumer.
    static func handle(_ message: KafkaMessage, triggers: [EventTriggerStore.Trigger], _ connection: PostgresConnection,
                       _ outbox: Outbox, _ logger: Logger) throws -> Int {
        guard !triggers.isEmpty else { return 0 }
        let position = "\(message.topic):\(message.partition):\(message.offset)"
        let event: (document: JSONValue, parameters: [String: String])
        do { event = try EventParameters.parse(message.value) } catch {
            logger.warning("event message ignored", ["event": position, LogKey.error: "\(error)"])
            return 0
        }
        let sent = message.timestampMilliseconds.map { Date(timeIntervalSince1970: Double($0) / 1000) }
        var count = 0
        for trigger in triggers where Self.matches(trigger, event.document, sent: sent) {
            let parameters: [String: String]
            do { parameters = try RunRoutes.validate(trigger.spec.parameters.merging(event.parameters) { _, event in event }) } catch {
                logger.warning("event message ignored", ["event": position, LogKey.workflow: trigger.workflow, LogKey.error: error.message])
                continue
            }
            let request = RunRequests.Request(
                tenant: trigger.tenant, workflow: trigger.workflow, parameters: parameters, source: "event",
                requestedBy: "topic:\(message.topic)", idempotencyKey: "event:\(position):\(trigger.workflow)/\(trigger.spec.id)",
                logicalTime: sent ?? Date(), details: ["trigger": trigger.spec.id, "event": position])
            do {
                if try RunRequests.create(request, connection, outbox)?.created == true { count += 1 }
            } catch let refused as RunRequests.Refused {
                logger.warning("event message ignored", ["event": position, LogKey.workflow: trigger.workflow, LogKey.error: refused.description])
            }
        }
        return count
    }

    /// Every `match` entry equals the message's field; messages from before the trigger existed
    /// never match.
    static func matches(_ trigger: EventTriggerStore.Trigger, _ document: JSONValue, sent: Date?) -> Bool {
        if let sent, sent < trigger.activeSince { return false }
        return trigger.spec.match.allSatisfy { path, expected in EventParameters.value(at: path, in: document) == expected }
    }
}
