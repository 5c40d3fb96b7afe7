internal import CRdKafka
import Runtime
import Synchronization

/// The consumer's group-side state and decisions: where each assigned partition starts, and what
/// to do when librdkafka reports that a partition has no valid offset. It is reached from C
/// callbacks through `ClientContext`, and only ever used on the consumer's poll queue (the thread
/// librdkafka runs rebalance callbacks on), so the locks here are never contended.
final class ConsumerGroupState: Sendable {
    let logger: Logger
    let groupID: String
    private let onOffsetLost: @Sendable (String, Int32) -> Void
    /// Where a partition this group never committed starts: the beginning, or the end for a
    /// consumer configured with `auto.offset.reset=latest` (a broadcast read live, by a group of
    /// its own that only cares about what happens from now on).
    private let newPartitionStart: Int64
    /// The group whose committed offsets a partition this group never committed starts at.
    private let predecessor: PredecessorGroup?
    /// Where each assigned partition was told to start, for partitions that have not delivered a
    /// message yet (whose librdkafka position is therefore unknown).
    private let startOffsets = Mutex<[TopicPartition: Int64]>([:])
    private let lostCount = Atomic<Int>(0)

    init(logger: Logger, groupID: String, startAtEnd: Bool = false, predecessor: PredecessorGroup? = nil,
         onOffsetLost: @escaping @Sendable (String, Int32) -> Void) {
        self.logger = logger
        self.groupID = groupID
        self.predecessor = predecessor
        self.newPartitionStart = startAtEnd ? RdOffset.end : RdOffset.beginning
        self.onOffsetLost = onOffsetLost
    }

    var offsetLostCount: Int { lostCount.load(ordering: .relaxed) }

    // MARK: - Rebalance

    /// Assigns partitions at their committed offsets, or at the beginning (the end when
    /// `auto.offset.reset` is `latest`) for partitions this group never committed, unless a
    /// predecessor group committed them (`PredecessorGroup`). Doing this
    /// explicitly (instead of `auto.offset.reset=earliest`) leaves librdkafka's reset path,
    /// configured as `error`, for offsets that vanished.
    func rebalance(_ client: OpaquePointer, _ code: rd_kafka_resp_err_t,
                   _ partitions: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?) {
        switch code {
        case RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS:
            guard let partitions else {
                rd_kafka_assign(client, nil)
                return
            }
            let starts = startingOffsets(client, partitions)
            startOffsets.withLock { $0 = starts }
            TopicPartitionOffset.write(starts, into: partitions)
            let result = rd_kafka_assign(client, partitions)
            let assigned = TopicPartitionOffset.read(partitions)
            logger.info("kafka partitions assigned", [
                "kafka.partitions": Self.summary(assigned),
                "kafka.assign_result": result == RD_KAFKA_RESP_ERR_NO_ERROR ? "ok" : errorText(result),
            ])
        case RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS:
            logger.info("kafka partitions revoked",
                        ["kafka.partitions": TopicPartitionOffset.read(partitions).map { $0.key.description }.joined(separator: ",")])
            startOffsets.withLock { $0 = [:] }
            rd_kafka_assign(client, nil)
        default:
            logger.warning("kafka rebalance error", [LogKey.error: errorText(code)])
            startOffsets.withLock { $0 = [:] }
            rd_kafka_assign(client, nil)
        }
    }

    private func startingOffsets(_ client: OpaquePointer,
                                 _ partitions: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>) -> [TopicPartition: Int64] {
        let result = rd_kafka_committed(client, partitions, 10_000)
        let elements = TopicPartitionOffset.read(partitions)
        var starts: [TopicPartition: Int64] = [:]
        guard result == RD_KAFKA_RESP_ERR_NO_ERROR else {
            // librdkafka then looks the committed offsets up itself; a partition without one
            // comes back through `offsetReset` as a new partition.
            logger.warning("kafka committed offsets unavailable at assignment", [LogKey.error: errorText(result)])
            for element in elements { starts[element.key] = RdOffset.stored }
            return starts
        }
        var uncommitted: [TopicPartition] = []
        for element in elements {
            if element.error != 0 {
                starts[element.key] = RdOffset.stored
            } else if element.offset >= 0 {
                starts[element.key] = element.offset
            } else {
                starts[element.key] = newPartitionStart
                uncommitted.append(element.key)
            }
        }
        if let predecessor, !uncommitted.isEmpty {
            let inherited = predecessor.committed(uncommitted, logger: logger)
            starts.merge(inherited) { _, inherited in inherited }
            if !inherited.isEmpty {
                logger.info("kafka partitions start at the predecessor group's offsets", [
                    "kafka.predecessor": predecessor.groupID,
                    "kafka.partitions": inherited.map { "\($0.key)@\($0.value)" }.sorted().joined(separator: ","),
                ])
            }
        }
        return starts
    }

    // MARK: - Offset reset

    /// Handles `RD_KAFKA_RESP_ERR__AUTO_OFFSET_RESET` for one partition. librdkafka reports the
    /// offset it failed at: a real offset (>= 0) means the position this group was at no longer
    /// exists on the broker, i.e. messages were lost to it: loud. A logical offset means the
    /// partition simply has no committed offset yet. Either way the partition restarts at the
    /// earliest offset still available, since after `error` librdkafka stops fetching it.
    func offsetReset(_ client: OpaquePointer, topic: String, partition: Int32, offset: Int64, reason: String) {
        let key = TopicPartition(topic: topic, partition: partition)
        if offset >= 0 {
            lostCount.add(1, ordering: .relaxed)
            logger.error("kafka offset lost: the consumer's offset no longer exists on the broker (retention or the dev broker's memory cap dropped messages); resuming from the earliest available offset", [
                LogKey.topic: topic, LogKey.partition: "\(partition)", LogKey.offset: "\(offset)",
                "kafka.reason": reason,
            ])
            Self.offsetLostCounter(topic: topic).increment()
            onOffsetLost(topic, partition)
        } else {
            logger.info("kafka partition has no committed offset, starting from the earliest",
                        [LogKey.topic: topic, LogKey.partition: "\(partition)"])
        }
        restart(client, key, at: RdOffset.beginning)
    }

    /// Re-assigns the current assignment with `partition` moved to `offset` and every other
    /// partition kept exactly where the application is: librdkafka refuses to seek a partition
    /// stopped by `auto.offset.reset=error`, and eager assignment only changes as a whole.
    private func restart(_ client: OpaquePointer, _ partition: TopicPartition, at offset: Int64) {
        var raw: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?
        let result = rd_kafka_assignment(client, &raw)
        guard result == RD_KAFKA_RESP_ERR_NO_ERROR, let raw else {
            logger.warning("kafka assignment unavailable", [LogKey.error: errorText(result)])
            return
        }
        let list = RdKafkaPartitionList(adopting: raw)
        rd_kafka_position(client, list.pointer)
        let starts = startOffsets.withLock { starts in
            starts[partition] = offset
            return starts
        }
        var offsets: [TopicPartition: Int64] = [:]
        for element in list.elements {
            if element.key == partition {
                offsets[element.key] = offset
            } else if element.offset >= 0 {
                offsets[element.key] = element.offset
            } else {
                offsets[element.key] = starts[element.key] ?? RdOffset.stored
            }
        }
        guard offsets[partition] != nil else { return }  // revoked meanwhile
        TopicPartitionOffset.write(offsets, into: list.pointer)
        let assigned = rd_kafka_assign(client, list.pointer)
        if assigned != RD_KAFKA_RESP_ERR_NO_ERROR {
            logger.warning("kafka re-assignment failed", [LogKey.error: errorText(assigned), LogKey.topic: partition.topic])
        }
    }

    static func offsetLostCounter(topic: String) -> Counter {
        Metrics.shared.counter("wl_kafka_offset_lost_total",
                               help: "Consumer positions that no longer existed on the broker (messages lost to the consumer).",
                               labels: ["topic": topic])
    }

    static func summary(_ elements: [TopicPartitionOffset]) -> String {
        elements.map { "\($0.topic)[\($0.partition)]@\($0.offset)" }.joined(separator: ",")
    }
}

/// librdkafka's rebalance callback; it runs inside `rd_kafka_consumer_poll`/`_close`, i.e. on the
/// consumer's poll queue.
let rebalanceCallback: @convention(c) (OpaquePointer?, rd_kafka_resp_err_t,
                                       UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?, UnsafeMutableRawPointer?) -> Void = {
    client, code, partitions, opaque in
    guard let client else { return }
    guard let group = ClientContext.from(opaque)?.consumer else {
        rd_kafka_assign(client, code == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS ? partitions : nil)
        return
    }
    group.rebalance(client, code, partitions)
}
