import Foundation

/// Per-process controls for crash and drain tests: kill a service at a random moment, restart
/// it, or stop it gracefully and check how it ended.
extension Stack {
    /// Sends `signal` to a running process without waiting.
    public func signal(_ name: String, _ number: Int32) throws {
        guard let pid = pid(of: name) else {
            throw StackError(.exited, "\(name) is not running")
        }
        ProcessControl.signal(pid, number)
    }

    /// SIGKILL, then waits until the process is gone (reaped, when it is our child).
    @discardableResult
    public func kill(_ name: String) async -> ProcessOutcome {
        await stopProcess(name, signal: SIGKILL, timeout: .seconds(10))
    }

    /// SIGTERM, then waits up to `timeout` (default: the stack's stop timeout) for a graceful
    /// exit; SIGKILLs after it. For a process this test started, `.exited(0)` means it drained.
    @discardableResult
    public func terminate(_ name: String, timeout: Duration? = nil) async -> ProcessOutcome {
        await stopProcess(name, signal: SIGTERM, timeout: timeout ?? configuration.stopTimeout)
    }

    /// Starts `name` (a component or the broker) unless it runs, with `environment` added for
    /// this start only, and waits until it is healthy.
    public func start(_ name: String, environment extra: [String: String] = [:]) async throws {
        if name == Stack.brokerName {
            _ = try await startBroker(environment: extra) { _ in }
            return
        }
        let component = try component(name)
        if let pid = pid(of: name) {
            try await waitHealthy(component, pid: pid)
            return
        }
        layout.removePID(name)
        let token = try adminToken()
        let environment = environment(for: component, bootstrap: kafkaBootstrap, token: token, extra: extra)
        let pid = try launch(name: name, executable: component.executable, port: component.port, environment: environment)
        try await waitHealthy(component, pid: pid)
    }

    /// SIGKILL and start again (the crash test's "kill at a random moment and restart").
    public func restart(_ name: String, environment: [String: String] = [:]) async throws {
        await kill(name)
        try await start(name, environment: environment)
    }
}
