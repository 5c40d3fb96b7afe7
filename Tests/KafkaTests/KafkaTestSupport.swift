import Foundation
import Kafka
import Runtime

/// One in-process dev broker shared by every test; tests keep apart through unique topic and
/// group names.
enum TestBroker {
    static let logger = Logger(label: "kafka-tests", level: .warning, sink: .standardError)

    static let cluster: Result<KafkaMockCluster, any Error> = Result {
        try KafkaMockCluster(brokers: 1, defaultPartitions: 4, logger: logger)
    }

    static func configuration(_ extra: [String: String] = [:]) throws -> KafkaConfiguration {
        KafkaConfiguration(bootstrapServers: try cluster.get().bootstrapServers, properties: extra)
    }

    static func unique(_ prefix: String) -> String {
        "\(prefix).\(UUID().uuidString.prefix(8).lowercased())"
    }

    static func producer() throws -> KafkaProducer {
        try KafkaProducer(configuration: configuration(), logger: logger)
    }

    static func messages(topic: String, count: Int, keys: Int = 10, tag: String = "v") -> [KafkaOutgoingMessage] {
        (0..<count).map { index in
            KafkaOutgoingMessage(topic: topic, key: "k\(index % keys)", value: Array("\(tag)\(index)".utf8))
        }
    }
}

struct TimedOut: Error, CustomStringConvertible {
    let what: String
    var description: String { "timed out waiting for \(what)" }
}

extension KafkaConsumer {
    /// Polls until `count` messages arrived (committing each batch when `commit` is set) or
    /// `within` passes.
    func collect(_ count: Int, within: Duration = .seconds(20), commit: Bool = false) async throws -> [KafkaMessage] {
        var received: [KafkaMessage] = []
        let deadline = ContinuousClock.now + within
        while received.count < count {
            guard ContinuousClock.now < deadline else { throw TimedOut(what: "\(count) messages, got \(received.count)") }
            let batch = try await poll(maxMessages: 500, timeout: .milliseconds(200))
            if commit && !batch.isEmpty { try await self.commit(batch) }
            received += batch
        }
        return received
    }
}

extension KafkaMessage {
    var text: String { String(decoding: value, as: UTF8.self) }
}
