import Foundation
import Runtime

/// What every service reads from its environment. Required values stop startup with one line.
public struct ServiceConfiguration: Sendable {
    /// libpq connection string or postgres:// URL.
    public var databaseURL: String?
    public var kafkaBootstrap: String
    /// Extra librdkafka properties for every client of the service (`WL_KAFKA_PROPERTIES`,
    /// `key=value;key=value`): TLS and SASL for a real cluster, or tuning such as `linger.ms`.
    /// Applied after the built-in defaults, so they override them.
    public var kafkaProperties: [String: String]
    public var httpHost: String
    public var httpPort: Int
    public var instanceID: String
    public var databasePoolSize: Int
    public var logLevel: Logger.Level
    /// How long to wait for Postgres and Kafka at startup before giving up.
    public var startupTimeout: Duration
    /// A token registered as the platform admin at start (the local stack sets it on one service).
    public var bootstrapAdminToken: String?

    public init(environment: Environment, defaultPort: Int, needsDatabase: Bool) throws(ConfigError) {
        databaseURL = needsDatabase ? try environment.required("WL_DATABASE_URL") : environment.optional("WL_DATABASE_URL")
        kafkaBootstrap = try environment.required("WL_KAFKA_BOOTSTRAP")
        kafkaProperties = try environment.properties("WL_KAFKA_PROPERTIES")
        httpHost = environment.string("WL_HTTP_HOST", default: "127.0.0.1")
        httpPort = try environment.int("WL_HTTP_PORT", default: defaultPort, range: 0...65535)
        instanceID = environment.string("WL_INSTANCE_ID", default: "\(ProcessInfo.processInfo.hostName)-\(getpid())")
        databasePoolSize = try environment.int("WL_DB_POOL_SIZE", default: 8, range: 1...200)
        logLevel = try environment.logLevel()
        startupTimeout = try environment.seconds("WL_STARTUP_TIMEOUT", default: 60)
        bootstrapAdminToken = environment.optional("WL_BOOTSTRAP_ADMIN_TOKEN")
    }
}
