import Kafka
import Runtime
import Testing

@Suite("A consumer group that takes over a topic from another group")
struct KafkaPredecessorGroupTests {
    /// What a service relies on when it moves a topic to a loop of its own (the resolver's status
    /// reports, 2026-11): the new group starts where the old one committed, reads from the
    /// beginning only what the old one never committed, and after its own commits stands alone.
    @Test func aNewGroupStartsAtItsPredecessorsCommittedOffsets() async throws {
        let moved = TestBroker.unique("t.moved")
        let fresh = TestBroker.unique("t.fresh")
        try TestBroker.cluster.get().createTopic(moved, partitions: 1)
        try TestBroker.cluster.get().createTopic(fresh, partitions: 1)
        let producer = try TestBroker.producer()
        try await producer.send(TestBroker.messages(topic: moved, count: 10, tag: "m"))
        try await producer.send(TestBroker.messages(topic: fresh, count: 3, tag: "f"))

        let old = TestBroker.unique("g.old")
        let predecessor = try KafkaConsumer(configuration: TestBroker.configuration(), groupID: old, topics: [moved],
                                            logger: TestBroker.logger)
        let seen = try await predecessor.collect(10).sorted { $0.offset < $1.offset }
        try await predecessor.commit(Array(seen.prefix(6)))
        await predecessor.close()

        let new = TestBroker.unique("g.new")
        let successor = try KafkaConsumer(configuration: TestBroker.configuration(), groupID: new, topics: [moved, fresh],
                                          predecessorGroupID: old, logger: TestBroker.logger)
        let taken = try await successor.collect(7, commit: true)
        let extra = try await successor.poll(maxMessages: 10, timeout: .milliseconds(500))
        await successor.close()
        #expect(taken.filter { $0.topic == moved }.map(\.text).sorted() == ["m6", "m7", "m8", "m9"])
        #expect(taken.filter { $0.topic == fresh }.map(\.text).sorted() == ["f0", "f1", "f2"])
        #expect(extra.isEmpty)

        // The new group committed: its own offsets win over the predecessor's from now on.
        try await producer.send(TestBroker.messages(topic: moved, count: 2, tag: "later"))
        let again = try KafkaConsumer(configuration: TestBroker.configuration(), groupID: new, topics: [moved, fresh],
                                      predecessorGroupID: old, logger: TestBroker.logger)
        let later = try await again.collect(2)
        let none = try await again.poll(maxMessages: 10, timeout: .milliseconds(500))
        await again.close()
        #expect(later.map(\.text).sorted() == ["later0", "later1"])
        #expect(none.isEmpty)
        #expect(successor.offsetLostEvents == 0 && again.offsetLostEvents == 0)
    }
}
