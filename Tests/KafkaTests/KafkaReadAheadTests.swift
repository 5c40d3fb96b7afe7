import Kafka
import Runtime
import Testing

@Suite("Kafka consumers' bounded read-ahead")
struct KafkaReadAheadTests {
    /// A consumer whose fetches are bounded below the size of one message still gets every
    /// message, in order: the broker returns a partition's first batch whole, however large.
    @Test func aSmallReadAheadStillDeliversMessagesLargerThanItsFetch() async throws {
        let topic = TestBroker.unique("t.readahead")
        try TestBroker.cluster.get().createTopic(topic, partitions: 1)
        let producer = try TestBroker.producer()
        let payload = (0..<150_000).map { UInt8(truncatingIfNeeded: $0 &* 7919) }
        let sent = (0..<6).map { index in KafkaOutgoingMessage(topic: topic, key: "k", value: [UInt8(index)] + payload) }
        try await producer.send(sent)
        let consumer = try KafkaConsumer(configuration: TestBroker.configuration(["auto.offset.reset": "earliest"]),
                                         groupID: TestBroker.unique("g.readahead"), topics: [topic], readAheadBytes: 64 << 10,
                                         logger: TestBroker.logger)
        let received = try await consumer.collect(6)
        await consumer.close()
        #expect(received.map { $0.value.first } == (0..<6).map { UInt8($0) })
        #expect(received.allSatisfy { $0.value.count == payload.count + 1 })
    }

    /// `message.max.bytes` set by hand above the fetch bound the read-ahead implies: the consumer
    /// is still created (librdkafka refuses a fetch bound below it), and the setting holds.
    @Test func handSizedMessagesOverrideTheFetchBound() async throws {
        let made = Result {
            try KafkaConsumer(configuration: TestBroker.configuration(["message.max.bytes": "5000000"]),
                              groupID: TestBroker.unique("g.sized"), topics: [TestBroker.unique("t.sized")],
                              readAheadBytes: 1 << 20, logger: TestBroker.logger)
        }
        #expect(throws: Never.self) { try made.get() }
        if case .success(let consumer) = made { await consumer.close() }
    }
}
