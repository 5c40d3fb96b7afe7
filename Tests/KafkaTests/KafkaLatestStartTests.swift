import Kafka
import Runtime
import Testing

@Suite("Kafka consumers that start at the end of the topic")
struct KafkaLatestStartTests {
    /// What a broadcast reader (the agent's kill listener) relies on: a group of its own with
    /// `auto.offset.reset=latest` sees only what is published after it joined.
    @Test func aNewGroupWithLatestResetSkipsEarlierMessages() async throws {
        let topic = TestBroker.unique("t.latest")
        try TestBroker.cluster.get().createTopic(topic, partitions: 2)
        let producer = try TestBroker.producer()
        try await producer.send(TestBroker.messages(topic: topic, count: 10, tag: "old"))
        let consumer = try KafkaConsumer(configuration: TestBroker.configuration(["auto.offset.reset": "latest"]),
                                         groupID: TestBroker.unique("g.latest"), topics: [topic], logger: TestBroker.logger)
        let deadline = ContinuousClock.now + .seconds(20)
        var early: [KafkaMessage] = []
        while await consumer.assignment()[topic]?.count != 2, ContinuousClock.now < deadline {
            early += try await consumer.poll(maxMessages: 100, timeout: .milliseconds(200))
        }
        // Let the fetcher look up the end offsets before anything new is published.
        early += try await consumer.poll(maxMessages: 100, timeout: .seconds(1))
        try await producer.send(TestBroker.messages(topic: topic, count: 4, tag: "new"))
        let received = try await consumer.collect(4)
        await consumer.close()
        #expect(early.isEmpty)
        #expect(Set(received.map(\.text)) == ["new0", "new1", "new2", "new3"])
        #expect(consumer.offsetLostEvents == 0)
    }
}
