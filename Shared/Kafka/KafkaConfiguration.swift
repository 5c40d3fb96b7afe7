/// Where the brokers are, plus any librdkafka properties a deployment needs to set (TLS, SASL,
/// timeouts). The producer and consumer put their own defaults first and apply `properties`
/// last, so an operator can override any of them without a code change.
public struct KafkaConfiguration: Sendable {
    /// Comma-separated `host:port` list, e.g. `"127.0.0.1:9092,127.0.0.1:9093"`.
    public var bootstrapServers: String
    /// Extra librdkafka properties (see librdkafka's CONFIGURATION.md), applied last.
    public var properties: [String: String]

    public init(bootstrapServers: String, properties: [String: String] = [:]) {
        self.bootstrapServers = bootstrapServers
        self.properties = properties
    }

    /// The full property list in the order it is applied: `defaults`, the bootstrap list, then
    /// the caller's `properties` (sorted, so failures are reproducible).
    func settings(defaults: [(String, String)]) -> [(String, String)] {
        var result = defaults
        result.append(("bootstrap.servers", bootstrapServers))
        for key in properties.keys.sorted() {
            result.append((key, properties[key] ?? ""))
        }
        return result
    }
}
