internal import CRdKafka
import Runtime

/// The consumer group a new group takes over from, when a service moves a topic from one of its
/// consumer loops to a new one: partitions the new group never committed start where the old
/// group's committed offsets are, instead of at the beginning of the topic. Without it the new
/// group would read the topic's whole retained history once (harmless for idempotent
/// consumers, but hours of catch-up on a production topic). Read once per assignment, only for
/// partitions the new group has no offset for; after its first commit the group stands alone.
struct PredecessorGroup: Sendable {
    let groupID: String
    /// The new consumer's settings with `group.id` set to the predecessor's.
    let settings: [(String, String)]

    init(groupID: String, settings: [(String, String)]) {
        self.groupID = groupID
        self.settings = settings.filter { $0.0 != "group.id" } + [("group.id", groupID)]
    }

    /// The predecessor's committed offsets of `partitions` (those it has one for), looked up by
    /// a short-lived client of its group that never joins it (an offset fetch needs no
    /// membership, so the predecessor's members, if any are left, are not disturbed).
    func committed(_ partitions: [TopicPartition], logger: Logger) -> [TopicPartition: Int64] {
        do {
            let client = try RdKafkaClient(kind: RD_KAFKA_CONSUMER, conf: try RdKafkaConf(settings),
                                           context: ClientContext(logger: logger))
            guard let list = RdKafkaPartitionList(capacity: partitions.count) else { return [:] }
            for partition in partitions { list.add(topic: partition.topic, partition: partition.partition) }
            let result = rd_kafka_committed(client.pointer, list.pointer, 10_000)
            guard result == RD_KAFKA_RESP_ERR_NO_ERROR else {
                logger.warning("kafka predecessor group's offsets unavailable; starting from the earliest",
                               ["kafka.predecessor": groupID, LogKey.error: errorText(result)])
                return [:]
            }
            var offsets: [TopicPartition: Int64] = [:]
            for element in TopicPartitionOffset.read(list.pointer) where element.error == 0 && element.offset >= 0 {
                offsets[element.key] = element.offset
            }
            return offsets
        } catch {
            logger.warning("kafka predecessor group unreachable; starting from the earliest",
                           ["kafka.predecessor": groupID, LogKey.error: "\(error)"])
            return [:]
        }
    }
}
