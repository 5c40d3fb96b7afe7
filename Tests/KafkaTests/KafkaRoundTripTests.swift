import Kafka
import Runtime
import Testing

@Suite("Kafka produce and consume against the dev broker")
struct KafkaRoundTripTests {
    @Test func producedMessagesComeBackWithTheirKeysAndValues() async throws {
        let topic = TestBroker.unique("t.roundtrip")
        try TestBroker.cluster.get().createTopic(topic, partitions: 8)
        let producer = try TestBroker.producer()
        let sent = TestBroker.messages(topic: topic, count: 2_000)
        try await producer.send(sent)

        let consumer = try KafkaConsumer(configuration: TestBroker.configuration(), groupID: TestBroker.unique("g"),
                                         topics: [topic], logger: TestBroker.logger)
        let received = try await consumer.collect(sent.count)
        await consumer.close()

        #expect(received.count == sent.count)
        #expect(Set(received.map { "\($0.key ?? "")=\($0.text)" }) == Set(sent.map { "\($0.key ?? "")=\(String(decoding: $0.value, as: UTF8.self))" }))
        #expect(received.allSatisfy { $0.topic == topic && (0..<8).contains($0.partition) })
        // One key, one partition, in send order.
        for key in Set(received.compactMap(\.key)) {
            let forKey = received.filter { $0.key == key }
            #expect(Set(forKey.map(\.partition)).count == 1)
            let order = forKey.sorted { $0.offset < $1.offset }.map { Int($0.text.dropFirst()) ?? -1 }
            #expect(order == order.sorted())
        }
    }

    @Test func sendReturnsOnceTheBrokerAcknowledgedALargeBatch() async throws {
        let topic = TestBroker.unique("t.delivery")
        try TestBroker.cluster.get().createTopic(topic, partitions: 16)
        let producer = try TestBroker.producer()
        try await producer.send([])
        let start = ContinuousClock.now
        try await producer.send(TestBroker.messages(topic: topic, count: 20_000, keys: 1_000))
        let elapsed = ContinuousClock.now - start
        #expect(elapsed < .seconds(20))
        // Concurrent sends share the producer.
        try await withThrowingTaskGroup(of: Void.self) { group in
            for round in 0..<8 {
                group.addTask { try await producer.send(TestBroker.messages(topic: topic, count: 500, tag: "r\(round)-")) }
            }
            try await group.waitForAll()
        }
        await producer.flush(timeout: .seconds(5))
    }

    /// A poll stops taking messages once their bytes reach `maxBytes` (the first is always taken),
    /// and the rest come with later polls.
    @Test func aPollTakesNoMoreBytesThanAsked() async throws {
        let topic = TestBroker.unique("t.bytes")
        let producer = try TestBroker.producer()
        let value = [UInt8](repeating: 7, count: 10_000)
        try await producer.send((0..<40).map { _ in KafkaOutgoingMessage(topic: topic, key: "k", value: value) })
        let consumer = try KafkaConsumer(configuration: TestBroker.configuration(), groupID: TestBroker.unique("g"),
                                         topics: [topic], logger: TestBroker.logger)
        var received = 0
        var batches: [Int] = []
        let deadline = ContinuousClock.now + .seconds(30)
        while received < 40, ContinuousClock.now < deadline {
            let batch = try await consumer.poll(maxMessages: 1_000, maxBytes: 25_000, timeout: .milliseconds(500))
            if !batch.isEmpty { batches.append(batch.count) }
            received += batch.count
        }
        await consumer.close()
        #expect(received == 40)
        #expect(batches.allSatisfy { $0 <= 3 }, "25,000 bytes hold at most three 10,000-byte messages: \(batches)")
    }

    @Test func nullKeysAndEmptyValuesSurvive() async throws {
        let topic = TestBroker.unique("t.nullkey")
        let producer = try TestBroker.producer()
        try await producer.send([KafkaOutgoingMessage(topic: topic, key: nil, value: []),
                                 KafkaOutgoingMessage(topic: topic, key: "", value: [0, 255])])
        let consumer = try KafkaConsumer(configuration: TestBroker.configuration(), groupID: TestBroker.unique("g"),
                                         topics: [topic], logger: TestBroker.logger)
        let received = try await consumer.collect(2)
        await consumer.close()
        #expect(received.contains { $0.key == nil && $0.value.isEmpty })
        #expect(received.contains { $0.key == "" && $0.value == [0, 255] })
    }
}
