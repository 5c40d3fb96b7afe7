internal import CRdKafka

/// Owns one `rd_kafka_topic_partition_list_t` (the argument type of subscribe, commit, assign).
final class RdKafkaPartitionList {
    let pointer: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>

    init?(capacity: Int) {
        guard let list = rd_kafka_topic_partition_list_new(Int32(clamping: capacity)) else { return nil }
        pointer = list
    }

    /// Takes ownership of a list librdkafka allocated for the caller (e.g. `rd_kafka_assignment`).
    init(adopting list: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>) {
        pointer = list
    }

    @discardableResult
    func add(topic: String, partition: Int32, offset: Int64 = RdOffset.invalid) -> Bool {
        guard let element = rd_kafka_topic_partition_list_add(pointer, topic, partition) else { return false }
        element.pointee.offset = offset
        return true
    }

    var elements: [TopicPartitionOffset] { TopicPartitionOffset.read(pointer) }

    deinit {
        rd_kafka_topic_partition_list_destroy(pointer)
    }
}

/// A Swift copy of one list element, so code outside the list's lifetime never holds C memory.
struct TopicPartitionOffset: Hashable, Sendable {
    var topic: String
    var partition: Int32
    var offset: Int64
    var error: Int32 = 0

    var key: TopicPartition { TopicPartition(topic: topic, partition: partition) }

    static func read(_ list: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?) -> [TopicPartitionOffset] {
        guard let list, let elements = list.pointee.elems else { return [] }
        return (0..<Int(list.pointee.cnt)).map { index in
            let element = elements[index]
            return TopicPartitionOffset(topic: element.topic.map { String(cString: $0) } ?? "",
                                        partition: element.partition, offset: element.offset,
                                        error: element.err.rawValue)
        }
    }

    /// Overwrites the offsets of `list` in place from `offsets` (missing entries left as they are).
    static func write(_ offsets: [TopicPartition: Int64], into list: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>) {
        guard let elements = list.pointee.elems else { return }
        for index in 0..<Int(list.pointee.cnt) {
            let key = TopicPartition(topic: elements[index].topic.map { String(cString: $0) } ?? "",
                                     partition: elements[index].partition)
            if let offset = offsets[key] { elements[index].offset = offset }
        }
    }
}

struct TopicPartition: Hashable, Sendable, CustomStringConvertible {
    var topic: String
    var partition: Int32
    var description: String { "\(topic)[\(partition)]" }
}

/// librdkafka's logical offsets (C macros that do not import as typed constants).
enum RdOffset {
    static let beginning: Int64 = -2
    static let end: Int64 = -1
    static let stored: Int64 = -1000
    static let invalid: Int64 = -1001
}
