import Foundation
import Kafka
import Runtime

/// The dev-only Kafka broker of the embedded local stack (DESIGN §7): librdkafka's in-memory mock
/// cluster on loopback with the platform's topics created up front. Not for production; use
/// `compose/` for that.
enum DevBroker {
    /// Runs until SIGTERM/SIGINT and returns the process exit code: 0 after a signal, 2 for bad
    /// configuration, 1 when the broker cannot start.
    static func main(environment: Environment) async -> Int32 {
        let config: DevBrokerConfig
        do {
            config = try DevBrokerConfig.load(environment)
        } catch {
            FileHandle.standardError.write(Data("\(error)\n".utf8))
            return 2
        }
        let logger = Logger(label: "dev-broker", level: config.logLevel, metadata: [LogKey.service: "dev-broker"])
        do {
            let (cluster, forwarder, address) = try start(config, logger: logger)
            let group = ServiceGroup(services: [
                ClosureService(name: "dev-broker") {
                    while !Task.isCancelled { await Task.pause(.seconds(3600)) }
                },
            ], logger: logger)
            try await group.run()
            forwarder?.stop()
            if let path = config.addressFile { AddressFile.remove(path) }
            withExtendedLifetime(cluster) {}
            logger.info("dev broker stopped", ["kafka.bootstrap": address])
            return 0
        } catch {
            logger.error("dev broker failed", [LogKey.error: "\(error)"])
            return 1
        }
    }

    private static func start(_ config: DevBrokerConfig, logger: Logger) throws -> (KafkaMockCluster, TCPForwarder?, String) {
        let cluster = try KafkaMockCluster(brokers: config.brokers, defaultPartitions: config.partitions, logger: logger)
        try cluster.createTopics(config.topics, partitions: config.partitions)
        var address = cluster.bootstrapServers
        var forwarder: TCPForwarder?
        if let port = config.port {
            let first = cluster.bootstrapServers.split(separator: ",").first.map(String.init) ?? cluster.bootstrapServers
            guard let colon = first.lastIndex(of: ":"), let targetPort = Int(first[first.index(after: colon)...]) else {
                throw KafkaError(.configuration, "unexpected mock bootstrap address '\(cluster.bootstrapServers)'")
            }
            let started = try TCPForwarder(port: port, targetHost: String(first[..<colon]), targetPort: targetPort, logger: logger)
            started.start()
            forwarder = started
            address = "127.0.0.1:\(port)"
        }
        if let path = config.addressFile {
            try AddressFile.write(address, to: path)
        }
        logger.info("dev broker ready", [
            "kafka.bootstrap": address,
            "kafka.mock_bootstrap": cluster.bootstrapServers,
            "kafka.brokers": "\(config.brokers)",
            "kafka.partitions": "\(config.partitions)",
            "kafka.topics": config.topics.joined(separator: ","),
        ])
        return (cluster, forwarder, address)
    }
}
