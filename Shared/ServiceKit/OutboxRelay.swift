import Foundation
import Contracts
import Kafka
import Postgres
import Runtime

/// Publishes a service's outbox rows (each a batch of messages) to Kafka and deletes them once the
/// broker acknowledged every message in them. Rows are claimed with `FOR UPDATE SKIP LOCKED`, so several instances of a service share the
/// work; a crash between publish and delete republishes, which consumers dedupe by message id.
public struct OutboxRelay: Service {
    public let name = "outbox-relay"
    private let source: String
    private let database: PostgresClient
    private let producer: KafkaProducer
    private let signal: WakeSignal
    private let logger: Logger
    private let batchSize: Int
    /// The payload bytes a batch takes at most (beyond its first row): a batch is held in
    /// memory whole — the rows' result, the messages, the producer's copies — until the broker
    /// acknowledged it, and grouped messages are up to 64 KiB each.
    private let batchBytes: Int
    private let idleInterval: Duration
    private let published: Counter
    /// Outbox row written (its transaction's start) → acknowledged by the broker, per row.
    private let delay: Histogram

    public init(source: String, database: PostgresClient, producer: KafkaProducer, signal: WakeSignal, logger: Logger,
                batchSize: Int = 2_000, batchBytes: Int = 4 << 20, idleInterval: Duration = .milliseconds(200)) {
        self.source = source
        self.database = database
        self.producer = producer
        self.signal = signal
        self.logger = logger
        self.batchSize = batchSize
        self.batchBytes = batchBytes
        self.idleInterval = idleInterval
        self.published = Metrics.shared.counter("wl_outbox_published_total", help: "Outbox messages published to Kafka", labels: ["source": source])
        self.delay = Metrics.shared.histogram("wl_outbox_delay_seconds", help: "Outbox row written to broker acknowledgement",
                                              labels: ["source": source])
    }

    /// Drains on cancellation: whatever is in the outbox when asked to stop is still published.
    public func run() async throws {
        while true {
            do {
                try await database.withDedicatedSession { session in
                    while true {
                        if try await relayBatch(session) { continue }
                        if Task.isCancelled { return }
                        await signal.wait(upTo: idleInterval)
                    }
                }
                return
            } catch {
                if Task.isCancelled { return }
                logger.error("outbox relay failed; retrying", [LogKey.error: "\(error)"])
                await Task.pause(.seconds(1))
            }
        }
    }

    /// Publishes one batch of outbox rows; returns whether rows may be left (the batch stopped at
    /// a budget). Claiming and reading is one round trip (`claim`), and so are the delete and the
    /// commit. A batch that took every row it found leaves the relay to wait: rows committed
    /// after the claim's snapshot notify `signal` after their commit, and the signal remembers a
    /// notification until the next wait, so none is missed — and at moderate load, where most
    /// batches hold one row, the relay no longer pays a second, empty claim for each (it was a
    /// third of the platform's transactions).
    private func relayBatch(_ session: PostgresSession) async throws -> Bool {
        let (source, limit, byteLimit) = (source, batchSize, batchBytes)
        let batch = try await session.run { connection in
            connection.begin()
            return try Self.claim(connection, source: source, maxMessages: limit, maxBytes: byteLimit)
        }
        let (ids, messages) = (batch.ids, batch.messages)
        guard !ids.isEmpty else {
            try await session.run { try $0.execute("COMMIT") }
            return false
        }
        do {
            try await producer.send(messages)
        } catch {
            _ = try? await session.run { try $0.execute("ROLLBACK") }
            throw error
        }
        try await session.run { connection in
            try connection.executeDeferred("DELETE FROM outbox WHERE id = ANY($1)", [ids])
            try connection.execute("COMMIT")
        }
        published.increment(by: messages.count)
        let now = Date().timeIntervalSince1970
        for time in batch.written { delay.observe(max(0, now - time)) }
        return batch.rowsLeft
    }

    /// Rows claimed by one relay batch: their ids and write times, and their messages in order.
    struct Claimed: Sendable {
        var ids: [Int64] = []
        var written: [Double] = []
        var messages: [KafkaOutgoingMessage] = []
        /// Whether a budget stopped the claim (rows were locked and left, or it locked as many
        /// rows as it may): more rows may be waiting.
        var rowsLeft = false
    }

    /// Locks (`FOR UPDATE SKIP LOCKED`) and reads the oldest rows of `source` in id order while
    /// the rows before each hold fewer than `maxMessages` messages and `maxBytes` payload bytes:
    /// at least one row, however large (a row holds at most about one spill of the outbox,
    /// 1 MiB, and one message more). Runs inside the caller's transaction.
    static func claim(_ connection: PostgresConnection, source: String, maxMessages: Int, maxBytes: Int) throws -> Claimed {
        var claimed = Claimed()
        var locked = 0
        for row in try connection.query("""
            WITH claimed AS (
                SELECT id, messages, bytes, created_at FROM outbox WHERE source = $1 ORDER BY id LIMIT $2 FOR UPDATE SKIP LOCKED),
            chosen AS (
                SELECT id, created_at FROM (
                    SELECT id, created_at, sum(messages) OVER (ORDER BY id) - messages AS before,
                        sum(bytes) OVER (ORDER BY id) - bytes AS bytes_before FROM claimed) c
                WHERE before < $2 AND bytes_before < $3)
            SELECT o.id, extract(epoch FROM c.created_at)::float8 AS written, m.topic, m.key, m.payload,
                (SELECT count(*) FROM claimed)::int AS locked
            FROM chosen c JOIN outbox o ON o.id = c.id
            CROSS JOIN LATERAL unnest(o.topics, o.keys, o.payloads) WITH ORDINALITY AS m(topic, key, payload, n)
            ORDER BY o.id, m.n
            """, [source, maxMessages, maxBytes]) {
            let id = try row.int64("id")
            if claimed.ids.last != id {
                claimed.ids.append(id)
                claimed.written.append(try row.double("written"))
                locked = try row.int("locked")
            }
            claimed.messages.append(KafkaOutgoingMessage(topic: try row.string("topic"), key: try row.optionalString("key"),
                                                         value: Array(try row.string("payload").utf8)))
        }
        claimed.rowsLeft = locked > claimed.ids.count || locked >= maxMessages
        return claimed
    }
}
