import Kafka
import Runtime
import Testing

@Suite("Kafka consumer groups against the dev broker")
struct KafkaConsumerGroupTests {
    @Test func aNewMemberResumesAfterTheCommittedOffset() async throws {
        let topic = TestBroker.unique("t.resume")
        try TestBroker.cluster.get().createTopic(topic, partitions: 1)
        let group = TestBroker.unique("g.resume")
        let producer = try TestBroker.producer()
        try await producer.send(TestBroker.messages(topic: topic, count: 10))

        let first = try KafkaConsumer(configuration: TestBroker.configuration(), groupID: group, topics: [topic], logger: TestBroker.logger)
        let all = try await first.collect(10).sorted { $0.offset < $1.offset }
        try await first.commit(Array(all.prefix(6)))
        await first.close()

        let second = try KafkaConsumer(configuration: TestBroker.configuration(), groupID: group, topics: [topic], logger: TestBroker.logger)
        let rest = try await second.collect(4).sorted { $0.offset < $1.offset }
        let extra = try await second.poll(maxMessages: 10, timeout: .milliseconds(300))
        let lagAfter = await second.lag()
        await second.close()

        #expect(rest.map(\.offset) == [6, 7, 8, 9])
        #expect(lagAfter[topic] == 0)
        #expect(rest.map(\.text) == all.suffix(4).map(\.text))
        #expect(extra.isEmpty)
        #expect(second.offsetLostEvents == 0)
    }

    @Test func anOffsetDroppedByTheDevBrokersMemoryCapIsReported() async throws {
        let topic = TestBroker.unique("t.dropped")
        try TestBroker.cluster.get().createTopic(topic, partitions: 1)
        let group = TestBroker.unique("g.dropped")
        let producer = try TestBroker.producer()
        try await producer.send(TestBroker.messages(topic: topic, count: 2))
        let first = try KafkaConsumer(configuration: TestBroker.configuration(), groupID: group, topics: [topic], logger: TestBroker.logger)
        let early = try await first.collect(2)
        try await first.commit(early)
        await first.close()

        // The mock keeps at most 5 MiB per partition: 8 MiB more pushes offset 2 out. Random
        // bytes, so the producer's compression cannot shrink them under the cap.
        var generator = SystemRandomNumberGenerator()
        let big = (0..<(64 * 1024)).map { _ in UInt8.random(in: 0...255, using: &generator) }
        for _ in 0..<4 {
            try await producer.send((0..<32).map { _ in KafkaOutgoingMessage(topic: topic, key: nil, value: big) })
        }
        let second = try KafkaConsumer(configuration: TestBroker.configuration(), groupID: group, topics: [topic], logger: TestBroker.logger)
        let received = try await second.collect(1)
        await second.close()
        #expect(second.offsetLostEvents == 1)
        #expect((received.map(\.offset).min() ?? 0) > 2)
    }

    @Test func lagCountsMessagesNotYetReceived() async throws {
        let topic = TestBroker.unique("t.lag")
        try TestBroker.cluster.get().createTopic(topic, partitions: 1)
        let producer = try TestBroker.producer()
        try await producer.send(TestBroker.messages(topic: topic, count: 10))
        let consumer = try KafkaConsumer(configuration: TestBroker.configuration(), groupID: TestBroker.unique("g.lag"),
                                         topics: [topic], logger: TestBroker.logger)
        var received: [KafkaMessage] = []
        while received.count < 4 {
            received += try await consumer.poll(maxMessages: 4 - received.count, timeout: .seconds(10))
        }
        let lag = await consumer.lag()
        await consumer.close()
        #expect(received.map(\.offset) == [0, 1, 2, 3])
        #expect(lag[topic] == 6)
    }

    @Test func twoMembersSplitPartitionsAndSeeEveryMessageOnce() async throws {
        let topic = TestBroker.unique("t.split")
        try TestBroker.cluster.get().createTopic(topic, partitions: 8)
        let group = TestBroker.unique("g.split")
        let a = try KafkaConsumer(configuration: TestBroker.configuration(), groupID: group, topics: [topic], logger: TestBroker.logger)
        let b = try KafkaConsumer(configuration: TestBroker.configuration(), groupID: group, topics: [topic], logger: TestBroker.logger)
        try await waitUntilSplit([a, b], topic: topic, partitions: 8)

        let producer = try TestBroker.producer()
        let sent = TestBroker.messages(topic: topic, count: 4_000, keys: 400)
        try await producer.send(sent)

        let total = sent.count
        let counter = Counter()
        async let fromA = a.drain(until: total, counter: counter)
        async let fromB = b.drain(until: total, counter: counter)
        let (gotA, gotB) = try await (fromA, fromB)
        let assignedA = await a.assignment()[topic] ?? []
        let assignedB = await b.assignment()[topic] ?? []
        await a.close()
        await b.close()

        #expect(!gotA.isEmpty && !gotB.isEmpty)
        #expect(Set(assignedA).isDisjoint(with: assignedB))
        #expect(Set(assignedA).union(assignedB) == Set(0..<8))
        let all = gotA + gotB
        #expect(all.count == total)
        #expect(Set(all.map(\.text)).count == total)
        #expect(Set(gotA.map(\.partition)).isDisjoint(with: gotB.map(\.partition)))
    }

    @Test func aConsumerSubscribedBeforeTheTopicExistsGetsItsMessages() async throws {
        let topic = TestBroker.unique("t.later")
        let consumer = try KafkaConsumer(configuration: TestBroker.configuration(), groupID: TestBroker.unique("g.later"),
                                         topics: [topic], logger: TestBroker.logger)
        let early = try await consumer.poll(maxMessages: 10, timeout: .milliseconds(500))
        #expect(early.isEmpty)
        let producer = try TestBroker.producer()
        try await producer.send(TestBroker.messages(topic: topic, count: 5))
        let received = try await consumer.collect(5)
        await consumer.close()
        #expect(Set(received.map(\.text)) == Set((0..<5).map { "v\($0)" }))
    }

    @Test func aConsumerPicksUpATopicCreatedExplicitlyLater() async throws {
        let topic = TestBroker.unique("t.created")
        let consumer = try KafkaConsumer(configuration: TestBroker.configuration(["allow.auto.create.topics": "false"]),
                                         groupID: TestBroker.unique("g.created"), topics: [topic], logger: TestBroker.logger)
        let early = try await consumer.poll(maxMessages: 10, timeout: .milliseconds(500))
        #expect(early.isEmpty)
        try TestBroker.cluster.get().createTopic(topic, partitions: 3)
        let producer = try TestBroker.producer()
        try await producer.send(TestBroker.messages(topic: topic, count: 30))
        let received = try await consumer.collect(30)
        await consumer.close()
        #expect(received.count == 30)
        #expect(Set(received.map(\.partition)).isSubset(of: [0, 1, 2]))
    }

    @Test func aVanishedCommittedOffsetIsReportedLoudlyAndConsumptionGoesOn() async throws {
        let topic = TestBroker.unique("t.lost")
        try TestBroker.cluster.get().createTopic(topic, partitions: 1)
        let group = TestBroker.unique("g.lost")
        let producer = try TestBroker.producer()
        try await producer.send(TestBroker.messages(topic: topic, count: 3))

        // Commit a position the broker does not have, as if retention had dropped it.
        let first = try KafkaConsumer(configuration: TestBroker.configuration(), groupID: group, topics: [topic], logger: TestBroker.logger)
        _ = try await first.collect(3)
        try await first.commit([KafkaMessage(topic: topic, partition: 0, offset: 999, key: nil, value: [])])
        await first.close()

        let reports = Reports()
        let second = try KafkaConsumer(configuration: TestBroker.configuration(), groupID: group, topics: [topic],
                                       logger: TestBroker.logger) { topic, partition in reports.add("\(topic)[\(partition)]") }
        let received = try await second.collect(3)
        await second.close()

        #expect(second.offsetLostEvents == 1)
        #expect(reports.all == ["\(topic)[0]"])
        #expect(received.map(\.offset).sorted() == [0, 1, 2])
        #expect(Metrics.shared.render().contains("wl_kafka_offset_lost_total{topic=\"\(topic)\"} 1"))
    }
}

import Synchronization

final class Counter: Sendable {
    private let value = Mutex(0)
    func add(_ amount: Int) -> Int { value.withLock { $0 += amount; return $0 } }
    var current: Int { value.withLock { $0 } }
}

final class Reports: Sendable {
    private let items = Mutex<[String]>([])
    func add(_ item: String) { items.withLock { $0.append(item) } }
    var all: [String] { items.withLock { $0 } }
}

/// Keeps every member polling (so each serves its rebalance callbacks) until the members' assignments
/// are non-empty, disjoint and cover all partitions, twice in a row.
func waitUntilSplit(_ members: [KafkaConsumer], topic: String, partitions: Int32, within: Duration = .seconds(30)) async throws {
    let deadline = ContinuousClock.now + within
    var stableRounds = 0
    while stableRounds < 2 {
        guard ContinuousClock.now < deadline else { throw TimedOut(what: "a stable group split") }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for member in members {
                group.addTask { _ = try await member.poll(maxMessages: 1, timeout: .milliseconds(250)) }
            }
            try await group.waitForAll()
        }
        var seen: [Int32] = []
        var everyoneHasSome = true
        for member in members {
            let assigned = await member.assignment()[topic] ?? []
            everyoneHasSome = everyoneHasSome && !assigned.isEmpty
            seen += assigned
        }
        let split = everyoneHasSome && seen.count == Int(partitions) && Set(seen) == Set(0..<partitions)
        stableRounds = split ? stableRounds + 1 : 0
    }
}

extension KafkaConsumer {
    /// Polls and commits until the members together have seen `total` messages, then polls a
    /// little longer to catch any duplicate.
    func drain(until total: Int, counter: Counter, within: Duration = .seconds(30)) async throws -> [KafkaMessage] {
        var received: [KafkaMessage] = []
        let deadline = ContinuousClock.now + within
        while counter.current < total {
            guard ContinuousClock.now < deadline else { throw TimedOut(what: "\(total) messages in the group") }
            let batch = try await poll(maxMessages: 500, timeout: .milliseconds(100))
            if !batch.isEmpty {
                try await commit(batch)
                received += batch
                _ = counter.add(batch.count)
            }
        }
        received += try await poll(maxMessages: 500, timeout: .milliseconds(300))
        return received
    }
}
