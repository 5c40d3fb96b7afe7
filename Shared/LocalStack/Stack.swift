import Foundation

/// The embedded local stack: a Postgres cluster, the dev Kafka broker, the services and agents
/// as separate processes, described by a `StackConfiguration`. It keeps no state in memory (pid
/// files, logs, the token and `stack.json` live under the root), so `up` is idempotent and a
/// later process — `wloadctl stack down`, another test — can manage what an earlier one started.
///
/// The CLI runs `StackConfiguration.local(...)` detached; integration tests use
/// `Stack.withIsolated(name:)` (or `isolated` + `up`/`down`) and the per-process controls in
/// `Stack+Control.swift` (`kill`, `terminate`, `start`, `restart`).
public struct Stack: Sendable {
    /// Process name (and executable) of the dev Kafka broker.
    public static let brokerName = "dev-broker"
    /// Name Postgres goes by in status and in `run/postgres.pid`.
    public static let postgresName = "postgres"

    public let configuration: StackConfiguration
    let layout: StackLayout

    public init(_ configuration: StackConfiguration) {
        self.configuration = configuration
        self.layout = StackLayout(root: configuration.root)
    }

    // MARK: - Addresses, for the CLI and tests

    /// Base URL of a component (`http://127.0.0.1:7401`).
    public func endpoint(_ name: String) throws -> String {
        try component(name).endpoint
    }

    /// Every component's base URL, as `stack.json` lists them.
    public var endpoints: [String: String] {
        Dictionary(configuration.components.map { ($0.name, $0.endpoint) }) { first, _ in first }
    }

    /// The broker's bootstrap address as it wrote it, or the configured port before it did.
    public var kafkaBootstrap: String {
        SmallFile.readText(layout.brokerAddress.path)
            .map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
            .flatMap { $0.isEmpty ? nil : $0 } ?? "127.0.0.1:\(configuration.brokerPort)"
    }

    /// libpq connection string of the stack's database (for tests that check rows directly).
    public var databaseURL: String { configuration.connectionString }

    /// The platform-admin token (created by the first `up`).
    public func adminToken() throws -> String {
        guard let token = AdminToken.load(from: layout.adminToken) else {
            throw StackError(.configuration, "no admin token at \(layout.adminToken.path); start the stack first")
        }
        return token
    }

    /// Headers every API call needs: the admin bearer token and the tenant to act for.
    public func headers(tenant: String) throws -> [String: String] {
        ["Authorization": "Bearer \(try adminToken())", "X-WL-Tenant": tenant]
    }

    public func logFile(_ name: String) -> URL { layout.logFile(name) }

    /// The last lines of a process's log, for test failure messages.
    public func logTail(_ name: String, lines: Int = 40) -> String {
        SmallFile.tail(layout.logFile(name).path, lines: lines)
    }

    public var manifestFile: URL { layout.manifest }
    public var adminTokenFile: URL { layout.adminToken }

    // MARK: - Internals shared by the lifecycle files

    func component(_ name: String) throws -> StackComponent {
        guard let component = configuration.component(named: name) else {
            let known = ([Stack.brokerName] + configuration.components.map(\.name)).joined(separator: ", ")
            throw StackError(.unknownComponent, "no process named \(name) in this stack (known: \(known))")
        }
        return component
    }

    func executable(for name: String) -> String {
        name == Stack.brokerName ? Stack.brokerName : configuration.component(named: name)?.executable ?? name
    }

    /// The pid recorded for `name` when that process still runs.
    public func pid(of name: String) -> Int32? {
        guard let pid = layout.pid(name),
              ProcessControl.isAlive(pid, executable: executable(for: name)) else { return nil }
        return pid
    }

    public func isRunning(_ name: String) -> Bool { pid(of: name) != nil }
}
