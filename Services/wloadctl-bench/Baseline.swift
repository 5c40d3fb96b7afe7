import Contracts
import Foundation
import Kafka
import Postgres
import Runtime

/// The bare pipeline, measured in the same run on the same machine: the orchestration
/// scenario's Kafka messages through the dev broker with a plain producer and consumer, and its
/// Postgres rows written with plain batched inserts and updates, both at once (as the platform
/// does them at once). Orchestration throughput is reported as a fraction of `tasks / wall time`
/// of this: what is left is the platform's own work (decisions, guards, JSON, round trips).
struct Baseline: Sendable {
    let kafka: KafkaConfiguration
    let database: PostgresClient
    let logger: Logger

    struct Result: Codable, Sendable {
        var messages: Int
        var rows: Int
        var kafkaSeconds: Double
        var postgresSeconds: Double
        var wallSeconds: Double
        var messagesConsumed: Int
    }

    /// Created with the platform's topics, so it has as many partitions (topics the dev broker
    /// creates on first use get 4, and a partition holds at most 5 MiB).
    static let topic = "bench.baseline"
    static let batch = 5_000

    func run(messages: Int, rows: Int) async throws -> Result {
        let clock = ContinuousClock()
        let start = clock.now
        async let kafkaSeconds = kafkaRoundTrip(messages: messages)
        async let postgresSeconds = writeRows(rows)
        let (consumed, kafkaTime) = try await kafkaSeconds
        let postgresTime = try await postgresSeconds
        guard consumed == messages else {
            // The dev broker drops what a partition holds past its memory cap: a baseline that
            // did not get every message back measured something else.
            throw BaselineError(description: "the baseline consumer got \(consumed) of \(messages) messages back "
                + "(the dev broker dropped the rest past its per-partition cap); raise BENCH_PARTITIONS")
        }
        return Result(messages: messages, rows: rows, kafkaSeconds: kafkaTime, postgresSeconds: postgresTime,
                      wallSeconds: (clock.now - start).inSeconds, messagesConsumed: consumed)
    }

    /// Produces `messages` status-sized envelopes (keyed like run ids) and consumes them in a
    /// consumer group, committing after each poll; returns how many came back and the seconds.
    private func kafkaRoundTrip(messages: Int) async throws -> (Int, Double) {
        let clock = ContinuousClock()
        let producer = try KafkaProducer(configuration: kafka, logger: logger)
        let value = try Self.sampleMessage()
        let consumer = try await joinedConsumer(producer: producer, value: value)
        let start = clock.now
        async let produced: Void = withThrowingTaskGroup(of: Void.self) { group in
            var sent = 0
            var inFlight = 0
            while sent < messages {
                let count = min(Self.batch, messages - sent)
                let chunk = (sent..<(sent + count)).map { KafkaOutgoingMessage(topic: Self.topic, key: "run-\($0 % 1_000)", value: value) }
                sent += count
                if inFlight == 4 { try await group.next(); inFlight -= 1 }
                group.addTask { try await producer.send(chunk) }
                inFlight += 1
            }
            try await group.waitForAll()
        }
        var consumed = 0
        var idleSince = clock.now
        while consumed < messages, clock.now - idleSince < .seconds(30) {
            let polled = try await consumer.poll(maxMessages: Self.batch, timeout: .milliseconds(100))
            guard !polled.isEmpty else { continue }
            idleSince = clock.now
            consumed += polled.count
            try await consumer.commit(polled)
        }
        try await produced
        await consumer.close()
        return (consumed, (clock.now - start).inSeconds)
    }

    /// A consumer that has joined its group and holds the topic's partitions, so the group's
    /// start-up (seconds of rebalancing) is not counted as pipeline time: the platform's
    /// consumers joined long before. One message is sent first to create the topic.
    private func joinedConsumer(producer: KafkaProducer, value: [UInt8]) async throws -> KafkaConsumer {
        try await producer.send([KafkaOutgoingMessage(topic: Self.topic, key: "warm-up", value: value)])
        let consumer = try KafkaConsumer(configuration: kafka, groupID: "bench.baseline.\(UUID().key)", topics: [Self.topic],
                                         logger: logger)
        var received = 0
        let deadline = ContinuousClock.now.advanced(by: .seconds(60))
        while true {
            if received > 0, !(await consumer.assignment()).isEmpty { break }
            guard ContinuousClock.now < deadline else { throw KafkaError(.consume, "the baseline consumer did not join within 60 s") }
            let polled = try await consumer.poll(maxMessages: 100, timeout: .milliseconds(100))
            received += polled.count
            if !polled.isEmpty { try await consumer.commit(polled) }
        }
        return consumer
    }

    /// Inserts half the rows and updates the other half (task-row sized), 1,000 a statement.
    private func writeRows(_ rows: Int) async throws -> Double {
        let clock = ContinuousClock()
        let start = clock.now
        let inserts = max(1, rows / 2)
        let updates = rows - inserts
        try await database.withConnection { connection in
            try connection.execute("""
                CREATE TABLE IF NOT EXISTS bench_baseline (run_id uuid NOT NULL, task_id text NOT NULL, state text NOT NULL,
                    attempt int NOT NULL, updated_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (run_id, task_id))
                """)
            try connection.execute("TRUNCATE bench_baseline")
            let runs = (0..<100).map { _ in UUID().key }
            var written = 0
            while written < inserts {
                let count = min(1_000, inserts - written)
                let range = written..<(written + count)
                try connection.execute("""
                    INSERT INTO bench_baseline (run_id, task_id, state, attempt)
                    SELECT r, t, 'pending', 0 FROM unnest($1::uuid[], $2::text[]) AS x(r, t)
                    """, [range.map { runs[$0 % runs.count] }, range.map { "t\($0)" }])
                written += count
            }
            var updated = 0
            while updated < updates {
                let count = min(1_000, updates - updated)
                let range = (updated..<(updated + count)).map { $0 % inserts }
                try connection.execute("""
                    UPDATE bench_baseline b SET state = 'succeeded', attempt = b.attempt + 1, updated_at = now()
                    FROM unnest($1::uuid[], $2::text[]) AS x(r, t) WHERE b.run_id = x.r AND b.task_id = x.t
                    """, [range.map { runs[$0 % runs.count] }, range.map { "t\($0)" }])
                updated += count
            }
            try connection.execute("DROP TABLE bench_baseline")
        }
        return (clock.now - start).inSeconds
    }

    /// A real status report as the agents send it, so messages have the platform's size.
    static func sampleMessage() throws -> [UInt8] {
        let status = TaskStatus(runID: UUID(), taskID: "m1234", attempt: 1, state: .succeeded, agentID: "sim-1", agentSession: UUID().key)
        return try Envelope(tenant: "bench-01", payload: status).encoded()
    }
}

struct BaselineError: Error, CustomStringConvertible {
    let description: String
}
