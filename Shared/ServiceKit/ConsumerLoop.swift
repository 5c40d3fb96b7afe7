import Contracts
import Foundation
import Kafka
import Postgres
import Runtime

/// One consumed message as handlers see it: routing header plus the raw bytes to decode.
public struct IncomingMessage: Sendable {
    public let header: EnvelopeHeader
    public let raw: KafkaMessage
    /// The message's one parse: its header was read from it, and its body is.
    let parsed: WireParsed

    /// Parses the message and reads its envelope header; throws when either is unreadable.
    init(_ raw: KafkaMessage) throws {
        self.raw = raw
        parsed = try WireParsed(raw.value)
        header = try parsed.decode(EnvelopeHeader.self)
    }

    public func decode<Payload: MessagePayload>(_ type: Payload.Type) throws -> Envelope<Payload> {
        try Envelope<Payload>.decode(parsed)
    }

    /// The items of a message that carries `Item`s alone or as a `MessageGroup` (route by
    /// `header.itemType`); a group's items share its envelope.
    public func unpack<Item: GroupablePayload>(_ type: Item.Type) throws -> [Envelope<Item>] {
        try Envelope<Item>.unpack(parsed, header: header)
    }

    /// The JSON text of each item the message carries, as sent: a plain message's payload, or
    /// each of a group's items, in the order `unpack` returns them (for keeping items verbatim).
    public func itemTexts() throws -> [ArraySlice<UInt8>] {
        let texts = header.type == header.itemType ? parsed.text(at: ["payload"]).map { [$0] } : parsed.elementTexts(at: ["payload", "items"])
        guard let texts else { throw MessageError("a \(header.type) message without its payload") }
        return texts
    }
}

extension Sequence where Element == IncomingMessage {
    /// The `Item`s the messages carry, alone or in groups, in order; messages of other kinds
    /// are left out (a loop that consumes one kind from its topic).
    public func items<Item: GroupablePayload>(_ type: Item.Type) throws -> [Envelope<Item>] {
        try filter { $0.header.itemType == Item.type }.flatMap { try $0.unpack(Item.self) }
    }
}

/// Applies a message's effect inside the consumer's transaction, publishing through the outbox.
public typealias MessageHandler = @Sendable (IncomingMessage, PostgresConnection, Outbox) throws -> Void

/// Applies a batch's new messages, in their order, inside one transaction: for handlers that
/// save round trips by applying related messages together (the resolver's status reports).
public typealias BatchHandler = @Sendable ([IncomingMessage], PostgresConnection, Outbox) throws -> Void

/// How a consumer loop keeps a redelivered message from taking effect twice.
public enum Deduplication: Sendable {
    /// Every message's id is recorded in `processed_messages` in the same transaction as its
    /// effect; a message whose id is there already is skipped.
    case recorded
    /// The handler keeps redeliveries out itself: its writes are keyed by the message id (a
    /// unique column with `ON CONFLICT DO NOTHING`, so no id needs recording: one row and one
    /// statement fewer per batch; the audit log), or it records the ids in `processed_messages`
    /// under the loop's name in the statement that applies them (one round trip fewer; the
    /// dispatcher's intake).
    case byHandler
}

/// The idempotent consumer: poll a batch, apply every message in one transaction together with
/// its processed-message id (duplicates are skipped; see `Deduplication`), commit, and only then
/// commit the Kafka offsets. A message whose handler throws is retried alone and, if it fails again, parked in
/// `dead_letters` with its error so one bad message cannot stall a partition.
public struct ConsumerLoop: Service {
    public let name: String
    /// The loop's consumer, for questions about its group membership (`assignment()`).
    public let consumer: KafkaConsumer
    private let database: PostgresClient
    private let source: String
    private let relaySignal: WakeSignal?
    private let logger: Logger
    private let maxBatch: Int
    private let maxBatchBytes: Int
    private let deduplication: Deduplication
    private let handler: BatchHandler
    private let processed: Counter
    private let duplicates: Counter
    private let deadLettered: Counter
    /// Producer timestamp → polled, per message: how long the broker hop took (with the time the
    /// message waited behind earlier ones), the first thing to read when a pipeline is slow.
    private let delay: Histogram
    /// Polled → effect committed, per batch.
    private let batchSeconds: Histogram
    /// The bytes of messages one batch takes at most (beyond its first message): a batch of 500
    /// groups could otherwise hold 100,000 tasks' reports or specs, decoded and re-encoded for
    /// its statements at once (a 200,000-task run peaked at 574 MiB in the dispatcher). 1 MiB is
    /// still thousands of grouped items. A loop whose batches hold up what others wait for takes
    /// less (the dispatcher's readies).
    public static let defaultMaxBatchBytes = 1 << 20
    /// How many batches the loop's consumer fetches ahead (its read-ahead is this many times
    /// `maxBatchBytes`): enough that a batch is ready when the last one commits, while a message
    /// on a quiet partition waits behind at most this much of a busy one's (the dispatcher's
    /// readies: 1 MiB, ~5,000 tasks; docs/performance.md, item 47).
    public static let readAheadBatches = 4
    /// How often the consumer's lag gauge is refreshed (it reads librdkafka's cached watermarks:
    /// no broker round trip).
    static let lagInterval = Duration.seconds(1)

    public init(name: String, consumer: KafkaConsumer, database: PostgresClient, source: String, relaySignal: WakeSignal?,
                logger: Logger, maxBatch: Int = 500, maxBatchBytes: Int = defaultMaxBatchBytes, deduplication: Deduplication = .recorded,
                batchHandler handler: @escaping BatchHandler) {
        self.name = name
        self.consumer = consumer
        self.database = database
        self.source = source
        self.relaySignal = relaySignal
        self.logger = logger.with(["consumer": name])
        self.maxBatch = maxBatch
        self.maxBatchBytes = maxBatchBytes
        self.deduplication = deduplication
        self.handler = handler
        let labels = ["consumer": name]
        processed = Metrics.shared.counter("wl_consumer_messages_total", help: "Messages applied", labels: labels)
        duplicates = Metrics.shared.counter("wl_consumer_duplicates_total", help: "Redelivered messages skipped", labels: labels)
        deadLettered = Metrics.shared.counter("wl_consumer_dead_letters_total", help: "Messages parked as undeliverable", labels: labels)
        delay = Metrics.shared.histogram("wl_consumer_delay_seconds", help: "Message timestamp to poll", labels: labels)
        batchSeconds = Metrics.shared.histogram("wl_consumer_batch_seconds", help: "Poll to committed effect, per batch", labels: labels)
    }

    /// Stops between batches when cancelled: the batch in hand is finished and committed first.
    /// A batch's offsets are committed while the next batch is polled and applied (the commit is
    /// a broker round trip that nothing waits for: a redelivery of an applied message is
    /// skipped); commits stay in order because each waits for the one before.
    public func run() async throws {
        var committing: Task<Void, Never>?
        do {
            var lagCheckedAt = ContinuousClock.now
            while !Task.isCancelled {
                let messages = try await consumer.poll(maxMessages: maxBatch, maxBytes: maxBatchBytes, timeout: .milliseconds(100))
                if ContinuousClock.now - lagCheckedAt >= Self.lagInterval {
                    // Sets wl_kafka_consumer_lag, which operators alert on and `make bench` reports.
                    _ = await consumer.lag()
                    lagCheckedAt = ContinuousClock.now
                }
                guard !messages.isEmpty else { continue }
                let polled = ContinuousClock.now
                observeDelays(messages)
                try await apply(messages)
                batchSeconds.observe(since: polled)
                await committing?.value
                committing = Task { await commit(messages) }
            }
        } catch {
            await committing?.value
            await consumer.close()
            throw error
        }
        await committing?.value
        await consumer.close()
    }

    private func commit(_ messages: [KafkaMessage]) async {
        do { try await consumer.commit(messages) } catch {
            // A rebalance took the partition (or the broker is away): the effect is durable, and
            // a redelivery is skipped as a duplicate. Not a reason to stop the service.
            logger.warning("offsets not committed; redelivery will be deduplicated", [LogKey.error: "\(error)"])
        }
    }

    private func observeDelays(_ messages: [KafkaMessage]) {
        let now = Date().timeIntervalSince1970
        for message in messages {
            guard let stamp = message.timestampMilliseconds else { continue }
            delay.observe(max(0, now - Double(stamp) / 1_000))
        }
    }

    private func apply(_ messages: [KafkaMessage]) async throws {
        var incoming: [IncomingMessage] = []
        for message in messages {
            do {
                incoming.append(try IncomingMessage(message))
            } catch {
                try await deadLetter(message, error: "undecodable envelope: \(WireCoding.describe(error))")
            }
        }
        guard !incoming.isEmpty else { return }
        do {
            try await applyTogether(incoming)
        } catch let error as PostgresError where error.code == .connection {
            throw error
        } catch {
            logger.warning("batch failed, applying messages one by one", [LogKey.error: "\(error)"])
            for message in incoming {
                do { try await applyTogether([message]) } catch let error as PostgresError where error.code == .connection {
                    throw error
                } catch {
                    try await deadLetter(message.raw, error: "\(error)")
                }
            }
        }
    }

    private func applyTogether(_ messages: [IncomingMessage]) async throws {
        let (consumerName, handler, deduplication) = (name, handler, deduplication)
        let counts = try await database.transaction(source: source, relay: relaySignal) { connection, outbox -> (Int, Int) in
            guard deduplication == .recorded else {
                try handler(messages, connection, outbox)
                return (messages.count, 0)
            }
            var fresh = try Self.claim(messages, consumer: consumerName, connection)
            let freshCount = fresh.count
            // remove() also drops a message delivered twice within the same batch.
            try handler(messages.filter { fresh.remove($0.header.id) != nil }, connection, outbox)
            return (freshCount, messages.count - freshCount)
        }
        processed.increment(by: counts.0)
        duplicates.increment(by: counts.1)
    }

    /// Records the batch's message ids; returns those not seen before (one round trip per batch).
    private static func claim(_ messages: [IncomingMessage], consumer: String, _ connection: PostgresConnection) throws -> Set<UUID> {
        let rows = try connection.query("""
            INSERT INTO processed_messages (consumer, message_id)
            SELECT $1, unnest($2::uuid[]) ON CONFLICT DO NOTHING RETURNING message_id
            """, [consumer, messages.map { $0.header.id.key }])
        return Set(try rows.map { try $0.uuid("message_id") })
    }

    private func deadLetter(_ message: KafkaMessage, error: String) async throws {
        logger.error("message parked in dead_letters", [LogKey.topic: message.topic, LogKey.partition: "\(message.partition)",
                                                        LogKey.offset: "\(message.offset)", LogKey.error: error])
        deadLettered.increment()
        let consumerName = name
        try await database.withConnection { connection in
            try connection.execute("""
                INSERT INTO dead_letters (consumer, topic, partition, "offset", error, payload) VALUES ($1, $2, $3, $4, $5, $6)
                """, [consumerName, message.topic, Int(message.partition), message.offset, error,
                      String(decoding: message.value, as: UTF8.self)])
        }
    }
}
