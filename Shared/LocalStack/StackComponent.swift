/// One long-running process of the stack besides Postgres and the broker: a service or an agent,
/// started from `executable` in the stack's bin directory, serving HTTP on `port`.
public struct StackComponent: Sendable, Hashable {
    public enum Role: Sendable, Hashable {
        case service
        /// An agent serving `pools` (the first is its primary pool) with `labels` for task selectors.
        case agent(pools: [String], slots: Int, labels: [String: String])
    }

    /// Unique within the stack; names the pid file, the log file and the `stack.json` endpoint.
    public var name: String
    public var executable: String
    public var port: Int
    public var role: Role

    public init(name: String, executable: String, port: Int, role: Role) {
        self.name = name
        self.executable = executable
        self.port = port
        self.role = role
    }

    public static func service(_ name: String, port: Int) -> StackComponent {
        StackComponent(name: name, executable: name, port: port, role: .service)
    }

    public static func agent(_ name: String, port: Int, pools: [String] = ["default"], labels: [String: String] = [:],
                             slots: Int = 8) -> StackComponent {
        StackComponent(name: name, executable: "agent", port: port, role: .agent(pools: pools, slots: slots, labels: labels))
    }

    /// An agent of one pool (the spelling from before agents served several).
    public static func agent(_ name: String, port: Int, pool: String, labels: [String: String] = [:], slots: Int = 8) -> StackComponent {
        agent(name, port: port, pools: [pool], labels: labels, slots: slots)
    }

    public var isAgent: Bool {
        if case .agent = role { return true }
        return false
    }

    public var endpoint: String { "http://127.0.0.1:\(port)" }

    /// The seven services' executables, in the order they are started.
    public static let serviceNames = [
        "trigger-service", "dependency-resolver", "dispatcher", "audit-service", "cmdb-service", "notifier",
    ]

    /// The local stack's fixed ports (7401…7406 for services, 7411 and 7412 for the two agents,
    /// in pool `default`, labelled `zone=a` and `zone=b`).
    public static let localDefaults: [StackComponent] =
        serviceNames.enumerated().map { .service($1, port: 7401 + $0) }
            + [.agent("agent-1", port: 7411, labels: ["zone": zone(0)]), .agent("agent-2", port: 7412, labels: ["zone": zone(1)])]

    /// The same services and `agents` agents in pool `default` (labelled `zone=a`, `zone=b`, …),
    /// on the given ports (one per component, services first).
    public static func defaults(ports: [Int], agents: Int = 2) -> [StackComponent] {
        let services = zip(serviceNames, ports).map { StackComponent.service($0, port: $1) }
        let agentPorts = ports.dropFirst(serviceNames.count).prefix(agents)
        return services + agentPorts.enumerated().map { index, port in
            .agent("agent-\(index + 1)", port: port, labels: ["zone": zone(index)])
        }
    }

    /// `a`, `b`, … `z`, then `z26`, `z27`, …: distinct zones so tests can select one agent.
    static func zone(_ index: Int) -> String {
        index < 26 ? String(UnicodeScalar(UInt8(ascii: "a") + UInt8(index))) : "z\(index)"
    }
}
