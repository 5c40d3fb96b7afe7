import Foundation

/// One line of `wloadctl stack status`.
public struct ComponentStatus: Sendable {
    public enum State: String, Sendable {
        case running
        case stopped
        /// A pid file remains but its process is gone (it crashed or was killed).
        case dead
    }

    public let name: String
    public let pid: Int32?
    public let state: State
    public let health: Health
    /// Base URL or address, for display.
    public let address: String
}

extension Stack {
    /// Postgres, the broker, then every component, with health checked concurrently.
    public func status() async -> [ComponentStatus] {
        var rows = [await postgresStatus(), brokerStatus()]
        let components = configuration.components
        let checked = await withTaskGroup(of: (Int, ComponentStatus).self) { group in
            for (index, component) in components.enumerated() {
                group.addTask { (index, await componentStatus(component)) }
            }
            var results: [(Int, ComponentStatus)] = []
            for await result in group { results.append(result) }
            return results.sorted { $0.0 < $1.0 }.map(\.1)
        }
        rows += checked
        return rows
    }

    private func postgresStatus() async -> ComponentStatus {
        let cluster = configuration.postgres.cluster
        let pid = try? await Blocking.run { cluster.serverPID }
        let address = "127.0.0.1:\(cluster.port)"
        guard let pid = pid ?? nil else {
            return ComponentStatus(name: Stack.postgresName, pid: nil, state: .stopped, health: .unknown, address: address)
        }
        let health: Health = LoopbackPort.accepts(cluster.port) ? .healthy : .unhealthy("not accepting connections")
        return ComponentStatus(name: Stack.postgresName, pid: pid, state: .running, health: health, address: address)
    }

    private func brokerStatus() -> ComponentStatus {
        let (pid, state) = processState(Stack.brokerName)
        let health: Health
        if state != .running {
            health = .unknown
        } else {
            health = LoopbackPort.accepts(configuration.brokerPort) ? .healthy : .unreachable
        }
        return ComponentStatus(name: Stack.brokerName, pid: pid, state: state, health: health, address: kafkaBootstrap)
    }

    private func componentStatus(_ component: StackComponent) async -> ComponentStatus {
        let (pid, state) = processState(component.name)
        let health = state == .running ? await HealthProbe.check(component.endpoint) : .unknown
        return ComponentStatus(name: component.name, pid: pid, state: state, health: health, address: component.endpoint)
    }

    private func processState(_ name: String) -> (Int32?, ComponentStatus.State) {
        guard let recorded = layout.pid(name) else { return (nil, .stopped) }
        return ProcessControl.isAlive(recorded, executable: executable(for: name)) ? (recorded, .running) : (recorded, .dead)
    }
}
