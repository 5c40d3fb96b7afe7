internal import CRdKafka
import Dispatch
import Runtime
import Synchronization

/// A consumer-group member. Offsets are committed only by `commit(_:)`, which callers invoke after
/// a message's effect is durable (at-least-once, DESIGN §3). Polling, rebalancing and closing run
/// on the consumer's own serial queue and commits on another, so librdkafka's blocking calls never
/// occupy the Swift cooperative pool.
///
/// Offsets that vanish (retention, or the dev broker's bounded memory) are reported loudly, never
/// skipped silently (DESIGN §7): an error log line, the `wl_kafka_offset_lost_total{topic}`
/// counter, `offsetLostEvents` and the `onOffsetLost` callback; the partition then resumes at the
/// earliest offset still available. This relies on `auto.offset.reset=error` (set by default);
/// overriding it through `properties` turns detection into librdkafka's own warning log line.
/// `auto.offset.reset=latest` also makes partitions the group never committed start at the end
/// instead of the beginning: for a group that reads a broadcast live and never commits.
///
/// Keep polling: rebalances are served inside `poll`, and the whole group waits (eager protocol)
/// until every member has polled and given up its partitions.
/// How long a fetch may wait at the broker for messages (`fetch.wait.max.ms`; a setting in
/// `WL_KAFKA_PROPERTIES` overrides it). A Kafka broker answers as soon as messages arrive, but
/// the dev broker (librdkafka's mock cluster) answers an empty fetch only when the wait is over,
/// so on it the wait is how late a message can be seen, and on both every idle consumer sends a
/// fetch each time it passes.
public enum FetchPace: Sendable {
    /// 10 ms: consumers on the path from one task to the next (ready tasks, status reports,
    /// agents' orders), where every hop adds to the scheduling latency.
    case prompt
    /// 100 ms: consumers nobody waits on by the millisecond (heartbeats, audit records, alerts,
    /// kill orders, run events); a tenth of the idle fetches.
    case relaxed

    var fetchWaitMilliseconds: String {
        switch self {
        case .prompt: "10"
        case .relaxed: "100"
        }
    }
}

public final class KafkaConsumer: Sendable {
    public let groupID: String
    let client: RdKafkaClient
    private let group: ConsumerGroupState
    /// Serializes every call that touches the group: poll (and the rebalance callbacks it runs),
    /// close, and the inspection calls.
    let pollQueue: DispatchQueue
    private let commitQueue: DispatchQueue
    private let status = Mutex(Status())
    private let logger: Logger

    private struct Status {
        var closed = false
        /// An error met after messages were already collected: returned messages first, then this.
        var pending: KafkaError?
    }

    /// The read-ahead consumers get unless they ask for less (`init`'s `readAheadBytes`).
    public static let defaultReadAheadBytes = 4 << 20

    /// Defaults for a consumer that commits by hand and notices dead members within seconds, with
    /// a bounded read-ahead: at most `readAheadBytes` fetched and not yet polled, at most 256 KiB
    /// of it from one partition per fetch, and a fetch of at most a quarter of it. librdkafka's
    /// own defaults (64 MiB, 1 MiB a partition) let one busy partition fill the queue, so a
    /// message on a quiet partition (another tenant's run) waited behind tens of thousands of
    /// others, and memory grew with the backlog. The fetch's bound matters as much: the queue's
    /// limit counts messages as they are polled (uncompressed), a fetch counts compressed bytes
    /// and is taken whole once it was asked for, so a fetch as big as the read-ahead (what
    /// librdkafka picks) brought several times the read-ahead from the busy partitions at once
    /// (docs/performance.md, item 47). The broker still returns a partition's first producer
    /// batch whatever its size; `message.max.bytes`, which bounds only the requests a consumer
    /// sends, must not exceed the fetch's bound.
    static func defaults(groupID: String, pace: FetchPace = .prompt, readAheadBytes: Int = defaultReadAheadBytes) -> [(String, String)] {
        let fetchBytes = String(max(64 << 10, readAheadBytes / 4))
        return [
            ("fetch.wait.max.ms", pace.fetchWaitMilliseconds),
            ("group.id", groupID),
            ("enable.auto.commit", "false"),
            ("enable.auto.offset.store", "false"),
            ("auto.offset.reset", "error"),
            ("enable.partition.eof", "false"),
            ("session.timeout.ms", "6000"),
            ("heartbeat.interval.ms", "1000"),
            ("allow.auto.create.topics", "true"),
            ("topic.metadata.refresh.interval.ms", "5000"),
            ("queued.max.messages.kbytes", String(max(64, readAheadBytes >> 10))),
            ("fetch.message.max.bytes", "262144"),
            ("fetch.max.bytes", fetchBytes),
            ("message.max.bytes", fetchBytes),
            ("socket.nagle.disable", "true"),
            ("log.connection.close", "false"),
        ]
    }

    /// Joins consumer group `groupID`, subscribed to `topics`. enable.auto.commit=false,
    /// enable.auto.offset.store=false. Topics that do not exist yet are picked up when they appear
    /// (metadata is refreshed every 5 s). `onOffsetLost(topic, partition)` is called, on the poll
    /// queue, for every partition whose offset vanished; keep it short (raise an alert).
    /// `predecessorGroupID`: partitions this group never committed start at that group's
    /// committed offsets, where it has them (`PredecessorGroup`).
    public init(configuration: KafkaConfiguration, groupID: String, topics: [String], pace: FetchPace = .prompt,
                readAheadBytes: Int = defaultReadAheadBytes, predecessorGroupID: String? = nil, logger: Logger,
                onOffsetLost: @escaping @Sendable (String, Int32) -> Void = { _, _ in }) throws {
        guard !topics.isEmpty else { throw KafkaError(.configuration, "consumer \(groupID) needs at least one topic") }
        let logger = logger.with(["kafka.group": groupID])
        var settings = configuration.settings(defaults: Self.defaults(groupID: groupID, pace: pace, readAheadBytes: readAheadBytes))
        if configuration.properties["message.max.bytes"] != nil, configuration.properties["fetch.max.bytes"] == nil {
            // Messages sized by hand (the later setting wins): librdkafka sizes the fetch for them.
            settings.removeAll { $0.0 == "fetch.max.bytes" }
        }
        let reset = settings.last { $0.0 == "auto.offset.reset" }?.1
        let group = ConsumerGroupState(logger: logger, groupID: groupID, startAtEnd: ["latest", "largest", "end"].contains(reset ?? ""),
                                       predecessor: predecessorGroupID.map { PredecessorGroup(groupID: $0, settings: settings) },
                                       onOffsetLost: onOffsetLost)
        let conf = try RdKafkaConf(settings)
        if let pointer = conf.pointer {
            rd_kafka_conf_set_rebalance_cb(pointer, rebalanceCallback)
        }
        let client = try RdKafkaClient(kind: RD_KAFKA_CONSUMER, conf: conf,
                                       context: ClientContext(logger: logger, consumer: group))
        rd_kafka_poll_set_consumer(client.pointer)
        guard let subscription = RdKafkaPartitionList(capacity: topics.count) else {
            throw KafkaError(.configuration, "cannot allocate subscription list")
        }
        for topic in topics { subscription.add(topic: topic, partition: -1) }
        let subscribed = rd_kafka_subscribe(client.pointer, subscription.pointer)
        guard subscribed == RD_KAFKA_RESP_ERR_NO_ERROR else {
            throw KafkaError(.configuration, "subscribe to \(topics.joined(separator: ",")): \(errorText(subscribed))")
        }
        for topic in topics {
            // Register the series at zero so alerts and dashboards see it before the first loss.
            _ = ConsumerGroupState.offsetLostCounter(topic: topic)
        }
        self.groupID = groupID
        self.client = client
        self.group = group
        self.logger = logger
        self.pollQueue = DispatchQueue(label: "kafka.consumer.\(groupID).poll")
        self.commitQueue = DispatchQueue(label: "kafka.consumer.\(groupID).commit")
    }

    deinit {
        // rd_kafka_destroy may block (it closes the consumer if `close` was not called): let the
        // last reference go on the poll queue.
        let client = self.client
        pollQueue.async { withExtendedLifetime(client) {} }
    }

    /// How many partition offsets were found lost since this consumer started.
    public var offsetLostEvents: Int { group.offsetLostCount }

    /// Waits up to `timeout` for at least one message, returns up to `maxMessages` (may be empty)
    /// and stops taking more once their values hold `maxBytes` (one message of any size is
    /// always taken). Runs on the consumer's own thread. After the first message it only takes
    /// what is already fetched, so a busy topic returns full batches and a quiet one returns at
    /// once. Returns early (empty) when the calling task is cancelled.
    public func poll(maxMessages: Int, maxBytes: Int = .max, timeout: Duration) async throws -> [KafkaMessage] {
        let deadline = ContinuousClock.now + timeout
        let cancelled = StopFlag()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<[KafkaMessage], any Error>) in
                pollQueue.async { [self] in
                    continuation.resume(with: Result { () throws(KafkaError) in
                        try pollBlocking(maxMessages: max(1, maxMessages), maxBytes: maxBytes, deadline: deadline, cancelled: cancelled)
                    })
                }
            }
        } onCancel: {
            cancelled.stop()
        }
    }

    /// Synchronously commits, for each partition in `messages`, the highest offset + 1. Called only
    /// after the effect is durable. Fails (`.commit`) if the group took the partition away
    /// meanwhile; the new owner then re-delivers, so the caller may log and carry on.
    public func commit(_ messages: [KafkaMessage]) async throws {
        var offsets: [TopicPartition: Int64] = [:]
        for message in messages {
            let key = TopicPartition(topic: message.topic, partition: message.partition)
            offsets[key] = max(offsets[key] ?? 0, message.offset + 1)
        }
        guard !offsets.isEmpty else { return }
        let next = offsets
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            commitQueue.async { [self] in
                continuation.resume(with: Result { () throws(KafkaError) in try commitBlocking(next) })
            }
        }
    }

    /// Leaves the group cleanly (rd_kafka_consumer_close) so partitions are reassigned at once.
    /// Later `poll` and `commit` calls throw.
    public func close() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            pollQueue.async { [self] in
                closeBlocking()
                continuation.resume()
            }
        }
    }

    // MARK: - On the poll queue

    private func pollBlocking(maxMessages: Int, maxBytes: Int, deadline: ContinuousClock.Instant,
                              cancelled: StopFlag) throws(KafkaError) -> [KafkaMessage] {
        try status.withLock { status throws(KafkaError) in
            if status.closed { throw KafkaError(.consume, "consumer \(groupID) is closed") }
            if let pending = status.pending {
                status.pending = nil
                throw pending
            }
        }
        var batch: [KafkaMessage] = []
        var topicNames: [OpaquePointer: String] = [:]
        while batch.isEmpty {
            let remaining = ContinuousClock.now.duration(to: deadline)
            let wait = remaining <= .zero ? 0 : min(100, Int32(clamping: remaining.components.seconds * 1000
                + remaining.components.attoseconds / 1_000_000_000_000_000) + 1)
            if let error = take(rd_kafka_consumer_poll(client.pointer, wait), into: &batch, names: &topicNames) {
                throw error
            }
            if batch.isEmpty && (ContinuousClock.now >= deadline || cancelled.isStopped) { return [] }
        }
        var bytes = batch.reduce(0) { $0 + $1.value.count }
        while batch.count < maxMessages, bytes < maxBytes, let message = rd_kafka_consumer_poll(client.pointer, 0) {
            let before = batch.count
            if let error = take(message, into: &batch, names: &topicNames) {
                status.withLock { $0.pending = error }
                break
            }
            if batch.count > before, let last = batch.last { bytes += last.value.count }
        }
        return batch
    }

    /// Converts and frees one polled message; returns an error the caller must surface.
    private func take(_ message: UnsafeMutablePointer<rd_kafka_message_t>?, into batch: inout [KafkaMessage],
                      names: inout [OpaquePointer: String]) -> KafkaError? {
        guard let message else { return nil }
        defer { rd_kafka_message_destroy(message) }
        let raw = message.pointee
        var topic = ""
        if let rkt = raw.rkt {
            if let name = names[rkt] {
                topic = name
            } else {
                topic = rd_kafka_topic_name(rkt).map { String(cString: $0) } ?? ""
                names[rkt] = topic
            }
        }
        guard raw.err == RD_KAFKA_RESP_ERR_NO_ERROR else {
            return consumerError(raw.err, topic: topic, partition: raw.partition, offset: raw.offset,
                                 text: rd_kafka_message_errstr(message).map { String(cString: $0) } ?? errorText(raw.err))
        }
        let key: String? = raw.key.map { String(decoding: UnsafeRawBufferPointer(start: $0, count: raw.key_len), as: UTF8.self) }
        let value: [UInt8] = raw.payload.map { Array(UnsafeRawBufferPointer(start: $0, count: raw.len)) } ?? []
        var kind = RD_KAFKA_TIMESTAMP_NOT_AVAILABLE
        let timestamp = rd_kafka_message_timestamp(message, &kind)
        batch.append(KafkaMessage(topic: topic, partition: raw.partition, offset: raw.offset, key: key, value: value,
                                  timestampMilliseconds: kind == RD_KAFKA_TIMESTAMP_NOT_AVAILABLE || timestamp < 0 ? nil : timestamp))
        return nil
    }

    /// Sorts consumer error events into handled here (offset resets), logged (transient trouble
    /// librdkafka recovers from by itself) and surfaced.
    private func consumerError(_ code: rd_kafka_resp_err_t, topic: String, partition: Int32, offset: Int64,
                               text: String) -> KafkaError? {
        let metadata = [LogKey.topic: topic, LogKey.partition: "\(partition)", LogKey.error: text]
        switch code {
        case RD_KAFKA_RESP_ERR__AUTO_OFFSET_RESET:
            group.offsetReset(client.pointer, topic: topic, partition: partition, offset: offset, reason: text)
            return nil
        case RD_KAFKA_RESP_ERR__PARTITION_EOF:
            return nil
        case RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART, RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC, RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION:
            logger.info("kafka subscribed topic not available yet", metadata)
            return nil
        case RD_KAFKA_RESP_ERR__TRANSPORT, RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN, RD_KAFKA_RESP_ERR__RESOLVE,
             RD_KAFKA_RESP_ERR__TIMED_OUT, RD_KAFKA_RESP_ERR__MAX_POLL_EXCEEDED, RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE,
             RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION, RD_KAFKA_RESP_ERR_COORDINATOR_NOT_AVAILABLE,
             RD_KAFKA_RESP_ERR_NOT_COORDINATOR:
            logger.warning("kafka consumer transient error", metadata)
            return nil
        case RD_KAFKA_RESP_ERR__FATAL:
            return KafkaError(.consume, "fatal: \(text)")
        default:
            return KafkaError(.consume, topic.isEmpty ? text : "\(topic)[\(partition)]: \(text)", isRetriable: true)
        }
    }

    private func closeBlocking() {
        let first = status.withLock { status in
            defer { status.closed = true }
            return !status.closed
        }
        guard first else { return }
        commitQueue.sync {}  // let in-flight commits finish first
        let result = rd_kafka_consumer_close(client.pointer)
        if result != RD_KAFKA_RESP_ERR_NO_ERROR {
            logger.warning("kafka consumer close", [LogKey.error: errorText(result)])
        } else {
            logger.info("kafka consumer left the group")
        }
    }

    // MARK: - On the commit queue

    private func commitBlocking(_ offsets: [TopicPartition: Int64]) throws(KafkaError) {
        if status.withLock({ $0.closed }) { throw KafkaError(.commit, "consumer \(groupID) is closed") }
        guard let list = RdKafkaPartitionList(capacity: offsets.count) else {
            throw KafkaError(.commit, "cannot allocate offset list")
        }
        for (key, offset) in offsets { list.add(topic: key.topic, partition: key.partition, offset: offset) }
        let result = rd_kafka_commit(client.pointer, list.pointer, 0)
        if result == RD_KAFKA_RESP_ERR__NO_OFFSET { return }
        guard result == RD_KAFKA_RESP_ERR_NO_ERROR else {
            throw KafkaError(.commit, errorText(result), isRetriable: isRetriableCommitError(result))
        }
        if let failed = list.elements.first(where: { $0.error != 0 }) {
            let code = rd_kafka_resp_err_t(rawValue: failed.error)
            throw KafkaError(.commit, "\(failed.topic)[\(failed.partition)]: \(errorText(code))",
                             isRetriable: isRetriableCommitError(code))
        }
    }
}

/// Commit failures worth repeating as they are; after a rebalance (generation or member errors)
/// the partition belongs to someone else and a retry cannot succeed.
func isRetriableCommitError(_ code: rd_kafka_resp_err_t) -> Bool {
    switch code {
    case RD_KAFKA_RESP_ERR__TRANSPORT, RD_KAFKA_RESP_ERR__TIMED_OUT, RD_KAFKA_RESP_ERR__WAIT_COORD,
         RD_KAFKA_RESP_ERR_COORDINATOR_NOT_AVAILABLE, RD_KAFKA_RESP_ERR_NOT_COORDINATOR,
         RD_KAFKA_RESP_ERR_COORDINATOR_LOAD_IN_PROGRESS, RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT:
        return true
    default:
        return false
    }
}
