import Contracts
import Kafka
import Postgres
import Runtime

/// Publishes a service's outbox rows to Kafka and deletes them once the broker acknowledged them.
/// Rows are claimed with `FOR UPDATE SKIP LOCKED`, so several instances of a service share the
/// work; a crash between publish and delete republishes, which consumers dedupe by message id.
public struct OutboxRelay: Service {
    public let name = "outbox-relay"
    private let source: String
    private let database: PostgresClient
    private let producer: KafkaProducer
    private let signal: WakeSignal
    private let logger: Logger
    private let batchSize: Int
    private let idleInterval: Duration
    private let published: Counter

    public init(source: String, database: PostgresClient, producer: KafkaProducer, signal: WakeSignal, logger: Logger,
                batchSize: Int = 2_000, idleInterval: Duration = .milliseconds(200)) {
        self.source = source
        self.database = database
        self.producer = producer
        self.signal = signal
        self.logger = logger
        self.batchSize = batchSize
        self.idleInterval = idleInterval
        self.published = Metrics.shared.counter("wl_outbox_published_total", help: "Outbox messages published to Kafka", labels: ["source": source])
    }

    /// Drains on cancellation: whatever is in the outbox when asked to stop is still published.
    public func run() async throws {
        while true {
            do {
                try await database.withDedicatedSession { session in
                    while true {
                        let count = try await relayBatch(session)
                        if count == 0 {
                            if Task.isCancelled { return }
                            await signal.wait(upTo: idleInterval)
                        }
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

    /// Publishes one batch and returns how many rows it moved.
    private func relayBatch(_ session: PostgresSession) async throws -> Int {
        let (source, limit) = (source, batchSize)
        let claimed = try await session.run { connection -> [(Int64, KafkaOutgoingMessage)] in
            try connection.execute("BEGIN")
            let rows = try connection.query("""
                SELECT id, topic, key, payload FROM outbox WHERE source = $1
                ORDER BY id LIMIT $2 FOR UPDATE SKIP LOCKED
                """, [source, limit])
            return try rows.map { row in
                (try row.int64("id"), KafkaOutgoingMessage(topic: try row.string("topic"), key: try row.optionalString("key"),
                                                            value: Array(try row.string("payload").utf8)))
            }
        }
        guard !claimed.isEmpty else {
            try await session.run { try $0.execute("COMMIT") }
            return 0
        }
        do {
            try await producer.send(claimed.map(\.1))
        } catch {
            _ = try? await session.run { try $0.execute("ROLLBACK") }
            throw error
        }
        let ids = claimed.map(\.0)
        try await session.run { connection in
            try connection.execute("DELETE FROM outbox WHERE id = ANY($1)", [ids])
            try connection.execute("COMMIT")
        }
        published.increment(by: ids.count)
        return ids.count
    }
}
