/// One message to publish. `key` picks the partition (same key, same partition, same order), so
/// callers key by run id for per-run ordering or by tenant for locality (DESIGN §2).
public struct KafkaOutgoingMessage: Sendable {
    public var topic: String
    public var key: String?
    public var value: [UInt8]

    public init(topic: String, key: String?, value: [UInt8]) {
        self.topic = topic
        self.key = key
        self.value = value
    }
}

/// One consumed message, copied out of librdkafka's buffers so it can cross threads freely.
/// Pass it back to `KafkaConsumer.commit(_:)` once its effect is durable.
public struct KafkaMessage: Sendable, Hashable {
    public let topic: String
    public let partition: Int32
    public let offset: Int64
    public let key: String?
    public let value: [UInt8]
    /// The producer's (or broker's) timestamp in milliseconds since 1970; nil when the message has none.
    public let timestampMilliseconds: Int64?

    public init(topic: String, partition: Int32, offset: Int64, key: String?, value: [UInt8], timestampMilliseconds: Int64? = nil) {
        self.topic = topic
        self.partition = partition
        self.offset = offset
        self.key = key
        self.value = value
        self.timestampMilliseconds = timestampMilliseconds
    }
}
