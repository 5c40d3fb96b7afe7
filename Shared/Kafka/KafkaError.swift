/// A Kafka failure, small enough to switch on: callers decide from `code` and `isRetriable`
/// whether to retry, back off or stop, and log `message` (librdkafka's own text) for operators.
public struct KafkaError: Error, CustomStringConvertible, Sendable {
    /// What part of the client failed.
    public enum Code: Sendable {
        /// A property was rejected or a handle could not be created; fix the configuration.
        case configuration
        /// Brokers unreachable or the group coordinator unavailable.
        case connection
        /// The broker did not acknowledge a produced message.
        case delivery
        /// Fetching or the consumer group reported an error.
        case consume
        /// An offset commit was rejected (for example after a rebalance took the partition away).
        case commit
        /// A committed or fetch offset no longer exists on the broker (retention, or the dev
        /// broker's bounded memory): messages were lost to this consumer. See DESIGN §7.
        case offsetLost
    }

    public let code: Code
    public let message: String
    /// Whether the same call may succeed if repeated (transient broker or network trouble).
    public var isRetriable: Bool
    public let file: String
    public let line: Int

    public init(_ code: Code, _ message: String, isRetriable: Bool = false,
                file: String = #fileID, line: Int = #line) {
        self.code = code
        self.message = message
        self.isRetriable = isRetriable
        self.file = file
        self.line = line
    }

    public var description: String { "kafka \(code) error: \(message)" }
}
