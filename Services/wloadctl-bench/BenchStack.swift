import Contracts
import Foundation
import LocalStack

/// The stack the benchmark runs on: the local stack's processes (its own Postgres cluster, the
/// dev broker, every service) under `<output>/stack` on free ports, so a `make up` stack can keep
/// running, plus two kinds of agents: simulate-mode agents in pool `sim` for orchestration and
/// real ones in pool `exec` for `/bin/true`.
struct BenchStack: Sendable {
    static let simulatedPool = "sim"
    static let executingPool = "exec"

    let stack: Stack
    let settings: BenchSettings

    init(settings: BenchSettings) throws {
        self.settings = settings
        let agents = settings.simulatedAgents + settings.executingAgents
        let ports = try LoopbackPort.free(count: 2 + StackComponent.serviceNames.count + agents)
        let servicePorts = ports.dropFirst(2)
        var components = zip(StackComponent.serviceNames, servicePorts).map { StackComponent.service($0, port: $1) }
        var environment: [String: [String: String]] = [
            Stack.brokerName: ["WL_BROKER_TOPICS": (Topics.all + [Baseline.topic]).joined(separator: ",")],
        ]
        var agentPorts = Array(servicePorts.dropFirst(StackComponent.serviceNames.count))
        for index in 1...settings.simulatedAgents {
            let name = "sim-\(index)"
            components.append(.agent(name, port: agentPorts.removeFirst(), pool: Self.simulatedPool, slots: settings.simulatedSlots))
            environment[name] = ["WL_AGENT_SIMULATE": "true"]
        }
        for index in 1...settings.executingAgents {
            components.append(.agent("exec-\(index)", port: agentPorts.removeFirst(), pool: Self.executingPool,
                                     slots: settings.executingSlots))
        }
        if let properties = settings.kafkaProperties {
            for component in components { environment[component.name, default: [:]]["WL_KAFKA_PROPERTIES"] = properties }
        }
        let root = settings.output.appendingPathComponent("stack")
        let configuration = StackConfiguration(
            root: root,
            postgres: .owned(PostgresCluster(directory: root.appendingPathComponent("pg"), port: ports[0])),
            database: "bench", brokerPort: ports[1], brokerPartitions: settings.brokerPartitions, components: components,
            binDirectory: settings.binDirectory, logLevel: settings.logLevel, environment: environment, detached: false,
            healthTimeout: .seconds(120), stopTimeout: .seconds(60),
            tenants: settings.tenantNames + [BenchSettings.floodTenant, BenchSettings.neighbourTenant])
        stack = Stack(configuration)
    }

    /// Starts from nothing: a leftover stack directory (an interrupted benchmark) is stopped and
    /// removed first, so every benchmark starts on an empty database and an empty broker.
    func up(progress: @escaping @Sendable (String) -> Void) async throws {
        try? await stack.down()
        try? FileManager.default.removeItem(at: stack.configuration.root)
        try await stack.up(progress: progress)
    }

    func down() async {
        do { try await stack.down() } catch { Console.line("stopping the benchmark stack: \(error)") }
    }

    var databaseURL: String { stack.databaseURL }
    var kafkaBootstrap: String { stack.kafkaBootstrap }

    /// The services and agents with their pids, for the resource readings.
    var processes: [(name: String, pid: Int32)] {
        ([Stack.brokerName] + stack.configuration.components.map(\.name)).compactMap { name in stack.pid(of: name).map { (name, $0) } }
    }

    /// The Postgres server's main process.
    var postgresPID: Int32? {
        let file = stack.configuration.postgres.cluster.dataDirectory.appendingPathComponent("postmaster.pid")
        return (try? String(contentsOf: file, encoding: .utf8))?.split(separator: "\n").first.flatMap { Int32($0) }
    }

    /// Services whose `/metrics` the benchmark scrapes (consumer lag).
    var serviceEndpoints: [String: String] {
        Dictionary(uniqueKeysWithValues: StackComponent.serviceNames.compactMap { name in
            (try? stack.endpoint(name)).map { (name, $0) }
        })
    }

    func api() throws -> BenchAPI {
        BenchAPI(trigger: try stack.endpoint("trigger-service"), dispatcher: try stack.endpoint("dispatcher"),
                 token: try stack.adminToken())
    }
}
