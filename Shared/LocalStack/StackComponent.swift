/// One long-running process of the stack besides Postgres and the broker: a service or an agent,
/// started from `executable` in the stack's bin directory, serving HTTP on `port`.
public struct StackComponent: Sendable, Hashable {
    public enum Role: Sendable, Hashable {
        case service
        case agent(pool: String, slots: Int)
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

    public static func agent(_ name: String, port: Int, pool: String = "default", slots: Int = 8) -> StackComponent {
        StackComponent(name: name, executable: "agent", port: port, role: .agent(pool: pool, slots: slots))
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

    /// The local stack's fixed ports (7401…7406 for services, 7411 and 7412 for the two agents).
    public static let localDefaults: [StackComponent] =
        serviceNames.enumerated().map { .service($1, port: 7401 + $0) }
            + [.agent("agent-1", port: 7411), .agent("agent-2", port: 7412)]

    /// The same services and `agents` agents in pool `default`, on the given ports (one per
    /// component, services first).
    public static func defaults(ports: [Int], agents: Int = 2) -> [StackComponent] {
        let names = serviceNames + (0..<agents).map { "agent-\($0 + 1)" }
        return zip(names, ports).map { name, port in
            name.hasPrefix("agent-") ? .agent(name, port: port) : .service(name, port: port)
        }
    }
}
