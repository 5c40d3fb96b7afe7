internal import CRdKafka

/// Owns one `rd_kafka_topic_t`, the producer's cached per-topic handle. It keeps its client alive
/// because a topic handle must be destroyed before the client it came from.
final class RdKafkaTopic: @unchecked Sendable {
    let pointer: OpaquePointer
    private let client: RdKafkaClient

    init(client: RdKafkaClient, name: String) throws(KafkaError) {
        guard let topic = rd_kafka_topic_new(client.pointer, name, nil) else {
            throw KafkaError(.configuration, "topic \(name): \(errorText(rd_kafka_last_error()))")
        }
        self.pointer = topic
        self.client = client
    }

    deinit {
        rd_kafka_topic_destroy(pointer)
    }
}
