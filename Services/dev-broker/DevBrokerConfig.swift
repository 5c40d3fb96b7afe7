import Contracts
import Runtime

/// The dev broker's settings, read once from the environment at start.
struct DevBrokerConfig: Sendable {
    /// `WL_BROKER_PARTITIONS` (default 16): partitions of every pre-created topic. Many
    /// partitions spread data under the mock's per-partition memory cap.
    var partitions: Int
    /// `WL_BROKER_COUNT` (default 1): mock brokers in the cluster.
    var brokers: Int
    /// `WL_BROKER_TOPICS` (comma separated; default: the platform's topics): created up front,
    /// because topics auto-created on first use get only 4 partitions.
    var topics: [String]
    /// `WL_BROKER_PORT`: a fixed loopback port clients can bootstrap from; unset = the mock's own
    /// ephemeral port.
    var port: Int?
    /// `WL_BROKER_ADDRESS_FILE`: where to write the bootstrap address for other processes.
    var addressFile: String?
    /// `WL_LOG_LEVEL` (default info).
    var logLevel: Logger.Level

    static let defaultTopics = Topics.all

    static func load(_ environment: Environment) throws(ConfigError) -> DevBrokerConfig {
        let topicList = environment.optional("WL_BROKER_TOPICS").map(parseTopics) ?? defaultTopics
        for topic in topicList where !isValidTopic(topic) {
            throw ConfigError(key: "WL_BROKER_TOPICS",
                              problem: "has an invalid topic name '\(topic)' (use 1-249 of a-z A-Z 0-9 . _ -)")
        }
        let port: Int? = environment.optional("WL_BROKER_PORT") == nil
            ? nil : try environment.int("WL_BROKER_PORT", default: 0, range: 1...65535)
        return DevBrokerConfig(
            partitions: try environment.int("WL_BROKER_PARTITIONS", default: 16, range: 1...1024),
            brokers: try environment.int("WL_BROKER_COUNT", default: 1, range: 1...16),
            topics: topicList,
            port: port,
            addressFile: environment.optional("WL_BROKER_ADDRESS_FILE"),
            logLevel: try environment.logLevel()
        )
    }

    static func parseTopics(_ text: String) -> [String] {
        var seen = Set<String>()
        return text.split(separator: ",")
            .map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty && seen.insert($0).inserted }
    }

    static func isValidTopic(_ name: String) -> Bool {
        guard !name.isEmpty, name.count <= 249, name != ".", name != ".." else { return false }
        return name.unicodeScalars.allSatisfy { scalar in
            scalar.isASCII && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || ".-_".unicodeScalars.contains(scalar))
        }
    }
}
