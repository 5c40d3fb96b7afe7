import Foundation
import HTTP
import Kafka
import Postgres
import Runtime

/// What a service's build function gets: configuration and the shared clients, already connected.
public struct ProcessContext: Sendable {
    public let name: String
    public let environment: Environment
    public let configuration: ServiceConfiguration
    public let logger: Logger
    public let kafka: KafkaConfiguration
    public let producer: KafkaProducer

    /// A consumer in `group` (one group per service, so instances share partitions).
    public func consumer(group: String, topics: [String], pace: FetchPace = .prompt,
                         readAheadBytes: Int = KafkaConsumer.defaultReadAheadBytes, predecessorGroup: String? = nil,
                         properties: [String: String] = [:]) throws -> KafkaConsumer {
        var configuration = kafka
        configuration.properties.merge(properties) { _, new in new }
        return try KafkaConsumer(configuration: configuration, groupID: group, topics: topics, pace: pace, readAheadBytes: readAheadBytes,
                                 predecessorGroupID: predecessorGroup, logger: logger)
    }
}

/// A service with a database: adds Postgres, the outbox relay's wake-up signal and authentication.
public struct ServiceContext: Sendable {
    public let process: ProcessContext
    public let database: PostgresClient
    public let relaySignal: WakeSignal
    public let authenticator: Authenticator

    public var name: String { process.name }
    public var logger: Logger { process.logger }
    public var environment: Environment { process.environment }

    /// The idempotent consumer for `topics`, in the consumer group named after this service.
    public func consumerLoop(_ name: String, topics: [String], pace: FetchPace = .prompt, maxBatch: Int = 500,
                             handler: @escaping MessageHandler) throws -> ConsumerLoop {
        try consumerLoop(name, topics: topics, pace: pace, maxBatch: maxBatch) { messages, connection, outbox in
            for message in messages { try handler(message, connection, outbox) }
        }
    }

    /// The idempotent consumer with a handler that takes each batch's new messages at once.
    /// `takingOverFrom`: the name of this service's loop that consumed `topics` before (a topic
    /// moved to a loop of its own); this loop starts where that loop's group left off.
    public func consumerLoop(_ name: String, topics: [String], pace: FetchPace = .prompt, maxBatch: Int = 500,
                             maxBatchBytes: Int = ConsumerLoop.defaultMaxBatchBytes, deduplication: Deduplication = .recorded,
                             takingOverFrom predecessor: String? = nil, batchHandler: @escaping BatchHandler) throws -> ConsumerLoop {
        let consumer = try process.consumer(group: "\(process.name).\(name)", topics: topics, pace: pace,
                                            readAheadBytes: ConsumerLoop.readAheadBatches * maxBatchBytes,
                                            predecessorGroup: predecessor.map { "\(process.name).\($0)" })
        return ConsumerLoop(name: name, consumer: consumer, database: database, source: process.name, relaySignal: relaySignal,
                            logger: logger, maxBatch: maxBatch, maxBatchBytes: maxBatchBytes, deduplication: deduplication,
                            batchHandler: batchHandler)
    }

    /// A transaction whose outbox messages are published right after it commits. It runs as the
    /// schema owner and sees every tenant: for consumers, internal loops and platform operations.
    /// API handlers acting for a tenant use `tenantScoped` / `tenantRead` instead.
    public func transaction<T: Sendable>(_ body: @escaping @Sendable (PostgresConnection, Outbox) throws -> T) async throws -> T {
        try await database.transaction(source: process.name, relay: relaySignal, body)
    }

    /// Authenticates `request` and returns the caller with the tenant it acts for (a platform
    /// credential's `X-WL-Tenant` must name an existing tenant).
    public func principal(_ request: HTTPRequest) async throws -> Principal {
        try await authenticator.authenticate(request)
    }
}

/// What a build function returns: the HTTP routes and the long-running parts of the service.
public struct ServiceApp: Sendable {
    public var router: Router
    public var services: [any Service]

    public init(router: Router, services: [any Service]) {
        self.router = router
        self.services = services
    }
}
