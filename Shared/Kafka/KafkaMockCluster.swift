internal import CRdKafka
import Foundation
import Runtime
import Synchronization

/// The dev broker: librdkafka's in-memory mock cluster, listening on loopback ports it picks.
/// Ordinary clients in any process connect to `bootstrapServers`; consumer groups, idempotent
/// producers and rebalancing work against it. For development and tests only (DESIGN §7): it
/// keeps at most 5 MiB or 100,000 batches per partition and silently drops older data, which
/// consumers then see as lost offsets.
///
/// librdkafka 2.0.2 auto-creates unknown topics with 4 partitions and offers no way to change
/// that, so topics that need `defaultPartitions` must be created up front with `createTopic`.
public final class KafkaMockCluster: Sendable {
    /// `host:port,...` of the mock brokers.
    public let bootstrapServers: String
    /// Partition count `createTopic(_:)` uses.
    public let defaultPartitions: Int
    public let brokers: Int
    private let cluster: MockClusterHandle
    private let logger: Logger
    private let noDelay = NoDelayKeeper()

    public init(brokers: Int = 1, defaultPartitions: Int, logger: Logger) throws {
        guard (1...32).contains(brokers) else { throw KafkaError(.configuration, "mock cluster brokers must be 1...32, got \(brokers)") }
        guard defaultPartitions >= 1 else { throw KafkaError(.configuration, "defaultPartitions must be at least 1") }
        let cluster = try MockClusterHandle(brokers: brokers, logger: logger)
        self.cluster = cluster
        self.bootstrapServers = cluster.bootstraps
        self.defaultPartitions = defaultPartitions
        self.brokers = brokers
        self.logger = logger
    }

    deinit {
        noDelay.stop()
    }

    /// Creates `name` with `partitions` partitions (replicated over up to 3 brokers). A topic that
    /// already exists is left as it is, so start-up code can call this unconditionally.
    public func createTopic(_ name: String, partitions: Int) throws {
        guard partitions >= 1, partitions <= 100_000 else {
            throw KafkaError(.configuration, "topic \(name): partitions must be 1...100000, got \(partitions)")
        }
        let result = rd_kafka_mock_topic_create(cluster.pointer, name, Int32(partitions), Int32(min(3, brokers)))
        switch result {
        case RD_KAFKA_RESP_ERR_NO_ERROR:
            logger.debug("mock topic created", [LogKey.topic: name, "kafka.partitions": "\(partitions)"])
        case RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS:
            logger.debug("mock topic already exists", [LogKey.topic: name])
        default:
            throw KafkaError(.configuration, "create topic \(name): \(errorText(result))")
        }
    }

    /// Creates several topics at once. Each mock command can wait up to a second for the mock's
    /// I/O thread (librdkafka 2.0.2 sometimes misses the wake-up), so they are issued in parallel
    /// and the whole call takes about as long as one. Blocks; call it at start-up.
    public func createTopics(_ names: [String], partitions: Int) throws {
        let failures = Mutex<[String]>([])
        let done = DispatchGroup()
        for name in names {
            done.enter()
            let thread = Thread { [self] in
                do {
                    try createTopic(name, partitions: partitions)
                } catch {
                    failures.withLock { $0.append("\(error)") }
                }
                done.leave()
            }
            thread.start()
        }
        done.wait()
        if let first = failures.withLock({ $0.first }) {
            throw KafkaError(.configuration, first)
        }
    }

    /// Creates `name` with `defaultPartitions` partitions.
    public func createTopic(_ name: String) throws {
        try createTopic(name, partitions: defaultPartitions)
    }
}

/// Owns the mock cluster and the `rd_kafka_t` it is attached to (librdkafka requires one); the
/// cluster is destroyed first.
final class MockClusterHandle: @unchecked Sendable {
    let pointer: OpaquePointer
    let bootstraps: String
    private let host: RdKafkaClient

    init(brokers: Int, logger: Logger) throws(KafkaError) {
        // The host handle never connects anywhere; keep its "no bootstrap.servers" notice quiet.
        let conf = try RdKafkaConf([("log_level", "3")])
        host = try RdKafkaClient(kind: RD_KAFKA_PRODUCER, conf: conf, context: ClientContext(logger: logger))
        guard let cluster = rd_kafka_mock_cluster_new(host.pointer, Int32(brokers)) else {
            throw KafkaError(.configuration, "rd_kafka_mock_cluster_new failed")
        }
        pointer = cluster
        bootstraps = rd_kafka_mock_cluster_bootstraps(cluster).map { String(cString: $0) } ?? ""
    }

    deinit {
        rd_kafka_mock_cluster_destroy(pointer)
    }
}
