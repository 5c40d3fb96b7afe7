import Foundation
import HTTP
import Kafka
import Postgres
import Runtime

/// The shared `main` of every executable: configuration, logger, clients, migrations, health and
/// metrics routes, the outbox relay, and a service group that drains on SIGTERM and exits 0.
public enum ServiceMain {
    /// For services that own state in Postgres.
    public static func run(name: String, defaultPort: Int, build: @escaping @Sendable (ServiceContext) async throws -> ServiceApp) async -> Never {
        await launch(name: name, defaultPort: defaultPort, needsDatabase: true) { process in
            guard let url = process.configuration.databaseURL else { throw ConfigError(key: "WL_DATABASE_URL", problem: "is required but not set") }
            let database = PostgresClient(configuration: PostgresConfiguration(
                connectionString: url, poolSize: process.configuration.databasePoolSize, applicationName: name), logger: process.logger)
            try await prepare(database, process)
            let context = ServiceContext(process: process, database: database, relaySignal: WakeSignal(), authenticator: Authenticator(database: database))
            var app = try await build(context)
            app.router.addHealthRoutes(service: name, instance: process.configuration.instanceID) {
                _ = try await database.withConnection { try $0.execute("SELECT 1") }
            }
            let relay = OutboxRelay(source: name, database: database, producer: process.producer, signal: context.relaySignal, logger: process.logger)
            let retention = try process.environment.int("WL_DEDUPE_RETENTION_HOURS", default: 168, range: 1...87_600)
            let housekeeping = Housekeeping(database: database, retentionHours: retention, logger: process.logger)
            return (app, [relay, housekeeping], { await database.close() })
        }
    }

    /// For processes without a database (the agent).
    public static func runWithoutDatabase(name: String, defaultPort: Int, build: @escaping @Sendable (ProcessContext) async throws -> ServiceApp) async -> Never {
        await launch(name: name, defaultPort: defaultPort, needsDatabase: false) { process in
            var app = try await build(process)
            app.router.addHealthRoutes(service: name, instance: process.configuration.instanceID) {}
            return (app, [], {})
        }
    }

    private typealias Assembly = (ServiceApp, [any Service], @Sendable () async -> Void)

    private static func launch(name: String, defaultPort: Int, needsDatabase: Bool,
                               assemble: @Sendable (ProcessContext) async throws -> Assembly) async -> Never {
        let environment = Environment()
        let configuration: ServiceConfiguration
        do { configuration = try ServiceConfiguration(environment: environment, defaultPort: defaultPort, needsDatabase: needsDatabase) } catch {
            FileHandle.standardError.write(Data("\(name): \(error)\n".utf8))
            exit(2)
        }
        let logger = Logger(label: name, level: configuration.logLevel,
                            metadata: [LogKey.service: name, "instance": configuration.instanceID])
        do {
            let kafka = KafkaConfiguration(bootstrapServers: configuration.kafkaBootstrap,
                                           properties: configuration.kafkaProperties.merging(["client.id": "\(name)-\(configuration.instanceID)"]) { given, _ in given })
            let producer = try KafkaProducer(configuration: kafka, logger: logger)
            let process = ProcessContext(name: name, environment: environment, configuration: configuration, logger: logger, kafka: kafka, producer: producer)
            let (app, infrastructure, close) = try await assemble(process)
            let server = HTTPServer(configuration: HTTPServerConfiguration(host: configuration.httpHost, port: configuration.httpPort),
                                    router: app.router, logger: logger)
            try server.start()
            logger.info("started", ["http.port": "\(server.boundPort)"])
            // Listed first = stopped last: consumers drain, then the relay flushes, then HTTP goes.
            try await ServiceGroup(services: [server] + infrastructure + app.services, logger: logger).run()
            await producer.flush(timeout: .seconds(10))
            await close()
            logger.info("stopped")
            exit(0)
        } catch let error as ConfigError {
            FileHandle.standardError.write(Data("\(name): \(error)\n".utf8))
            exit(2)
        } catch {
            logger.error("fatal", [LogKey.error: "\(error)"])
            exit(1)
        }
    }

    /// Waits for Postgres to accept connections, applies migrations and registers the bootstrap admin.
    private static func prepare(_ database: PostgresClient, _ process: ProcessContext) async throws {
        let deadline = ContinuousClock.now + process.configuration.startupTimeout
        while true {
            do {
                try await database.migrate(Schema.migrations)
                break
            } catch let error as PostgresError where error.code == .connection && ContinuousClock.now < deadline {
                process.logger.warning("waiting for Postgres", [LogKey.error: error.message])
                try await Task.sleep(for: .seconds(1))
            }
        }
        if let token = process.configuration.bootstrapAdminToken {
            try await database.withConnection { connection in
                try Authenticator.register(token: token, name: "bootstrap-admin", tenant: Authenticator.platformTenant, role: .admin, connection)
            }
        }
    }
}

extension Router {
    /// `/healthz` (the process is up), `/readyz` (its dependencies answer) and `/metrics`.
    mutating func addHealthRoutes(service: String, instance: String, readiness: @escaping @Sendable () async throws -> Void) {
        get("/healthz") { _ in .json(["status": "ok", "service": service, "instance": instance]) }
        get("/readyz") { _ in
            do {
                try await readiness()
                return .json(["status": "ready", "service": service])
            } catch {
                return .json(["status": "unavailable", "service": service, "error": "\(error)"], status: 503)
            }
        }
        get("/metrics") { _ in .text(Metrics.shared.render(), contentType: "text/plain; version=0.0.4") }
    }
}
