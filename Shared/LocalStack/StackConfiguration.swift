import Foundation

/// Everything that distinguishes one stack from another: where its state lives, its ports, its
/// database and its processes. The CLI runs `local(...)` under `.wloadctl/`; integration tests run
/// `isolated(name:)` stacks side by side with their own directory, free ports and database.
public struct StackConfiguration: Sendable {
    /// Where Postgres comes from.
    public enum Postgres: Sendable {
        /// A cluster this stack starts on `up` and stops on `down` (the local stack's `.wloadctl/pg`).
        case owned(PostgresCluster)
        /// A cluster shared with other stacks (the test cluster): started when needed, never
        /// stopped by the stack; the stack's own database is dropped on `down` when
        /// `dropDatabaseOnDown` is set.
        case shared(PostgresCluster)

        public var cluster: PostgresCluster {
            switch self {
            case .owned(let cluster), .shared(let cluster): cluster
            }
        }
    }

    /// Holds `run/`, `log/`, `agents/`, `admin.token` and `stack.json`.
    public var root: URL
    public var postgres: Postgres
    public var database: String
    public var dropDatabaseOnDown: Bool
    public var brokerPort: Int
    public var brokerPartitions: Int
    /// Services and agents, in start order.
    public var components: [StackComponent]
    /// Where `dev-broker`, the services and `agent` are found.
    public var binDirectory: URL
    public var logLevel: String
    /// Extra environment per component name (`"dispatcher": ["WL_AGENT_TIMEOUT": "3"]`); applied
    /// last, so it can also override the stack's own variables. `"*"` applies to every process.
    public var environment: [String: [String: String]]
    /// Start processes in their own session so they outlive the CLI and ignore its terminal's
    /// Ctrl-C. Test stacks keep them in the test's process group (a Ctrl-C'd test run takes them
    /// along).
    public var detached: Bool
    public var healthTimeout: Duration
    public var stopTimeout: Duration
    /// Tenants `up` creates when they do not exist (a platform credential acts only for existing
    /// tenants).
    public var tenants: [String]

    public init(root: URL, postgres: Postgres, database: String, dropDatabaseOnDown: Bool = false,
                brokerPort: Int, brokerPartitions: Int = 16, components: [StackComponent],
                binDirectory: URL, logLevel: String = "info", environment: [String: [String: String]] = [:],
                detached: Bool, healthTimeout: Duration = .seconds(60), stopTimeout: Duration = .seconds(30),
                tenants: [String] = []) {
        self.root = root
        self.postgres = postgres
        self.database = database
        self.dropDatabaseOnDown = dropDatabaseOnDown
        self.brokerPort = brokerPort
        self.brokerPartitions = brokerPartitions
        self.components = components
        self.binDirectory = binDirectory
        self.logLevel = logLevel
        self.environment = environment
        self.detached = detached
        self.healthTimeout = healthTimeout
        self.stopTimeout = stopTimeout
        self.tenants = tenants
    }

    /// The CLI's stack: own cluster under `<root>/pg` on 55433, database `wloadctl`, broker on
    /// 19092, services on 7401…7406, agents on 7411/7412, detached; tenant `default` (the CLI's
    /// default tenant) exists.
    public static func local(root: URL, binDirectory: URL) -> StackConfiguration {
        StackConfiguration(
            root: root,
            postgres: .owned(PostgresCluster(directory: root.appendingPathComponent("pg"), port: 55433)),
            database: "wloadctl", brokerPort: 19092, components: StackComponent.localDefaults,
            binDirectory: binDirectory, detached: true, tenants: ["default"])
    }

    /// A test stack under `<repository>/.wloadctl/test-stacks/<name>` on free ports, with its own
    /// database in the shared test cluster (`TestPostgres`), binaries from `WL_BIN_DIR` or
    /// `<repository>/.build/debug` (what `make test` builds), and tenants `acme` and `globex`.
    /// Allocates ports; starts nothing.
    public static func isolated(name: String, agents: Int = 2,
                                repository: URL = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)) throws -> StackConfiguration {
        let components = StackComponent.serviceNames.count + agents
        let ports = try LoopbackPort.free(count: components + 1)
        let safeName = String(name.lowercased().map { $0.isLetter || $0.isNumber ? $0 : "_" })
        return StackConfiguration(
            root: repository.appendingPathComponent(".wloadctl/test-stacks/\(name)"),
            postgres: .shared(TestPostgres.cluster),
            database: "stack_\(safeName)_\(UInt32.random(in: 0...UInt32.max))",
            dropDatabaseOnDown: true,
            brokerPort: ports[0],
            components: StackComponent.defaults(ports: Array(ports.dropFirst()), agents: agents),
            binDirectory: binDirectory(repository: repository, preferRelease: false),
            detached: false, tenants: ["acme", "globex"])
    }

    /// `WL_BIN_DIR` when set; else `.build/release` when `preferRelease` and it holds the
    /// services; else `.build/debug`.
    public static func binDirectory(repository: URL, preferRelease: Bool,
                                    environment: [String: String] = ProcessInfo.processInfo.environment) -> URL {
        if let explicit = environment["WL_BIN_DIR"], !explicit.isEmpty {
            return URL(fileURLWithPath: explicit, relativeTo: repository).standardizedFileURL
        }
        let release = repository.appendingPathComponent(".build/release")
        if preferRelease, holdsServices(release) { return release }
        return repository.appendingPathComponent(".build/debug")
    }

    /// True when `directory` holds every executable a stack needs.
    public static func holdsServices(_ directory: URL) -> Bool {
        (StackComponent.serviceNames + ["agent", Stack.brokerName]).allSatisfy {
            FileManager.default.isExecutableFile(atPath: directory.appendingPathComponent($0).path)
        }
    }

    public var connectionString: String { postgres.cluster.connectionString(database: database) }

    public func component(named name: String) -> StackComponent? {
        components.first { $0.name == name }
    }
}
