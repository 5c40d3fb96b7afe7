import Foundation

/// Starting single processes and waiting until they can be used.
extension Stack {
    /// Variables the stack sets itself; inherited `WL_*` variables are dropped so a stray export in
    /// the caller's shell (or the test runner's) cannot change what the stack runs.
    /// `MALLOC_ARENA_MAX` is 2 unless the caller set it: glibc gives each thread that allocates
    /// concurrently an arena of its own (up to 8 per core) and keeps what they freed, which held
    /// the resolver at 226–307 MiB after a burst of work at 200,000 tasks; with 2 arenas it peaked
    /// at 193 MiB and settled at 149, at the same throughput (docs/performance.md, item 31).
    static func baseEnvironment() -> [String: String] {
        var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("WL_") }
        if environment["MALLOC_ARENA_MAX"] == nil { environment["MALLOC_ARENA_MAX"] = "2" }
        return environment
    }

    func environment(for component: StackComponent, bootstrap: String, token: String,
                     extra: [String: String]) -> [String: String] {
        var environment = Self.baseEnvironment()
        environment["WL_KAFKA_BOOTSTRAP"] = bootstrap
        environment["WL_HTTP_HOST"] = "127.0.0.1"
        environment["WL_HTTP_PORT"] = "\(component.port)"
        environment["WL_INSTANCE_ID"] = component.name
        environment["WL_LOG_LEVEL"] = configuration.logLevel
        switch component.role {
        case .service:
            environment["WL_DATABASE_URL"] = configuration.connectionString
            if component.executable == "trigger-service" {
                environment["WL_BOOTSTRAP_ADMIN_TOKEN"] = token
            }
            if component.executable == "dispatcher" {
                environment["WL_DISPATCH_SIGNING_KEY_FILE"] = layout.dispatchSigningKey.path
            }
        case .agent(let pools, let slots, let labels):
            environment["WL_AGENT_ID"] = component.name
            environment["WL_AGENT_POOLS"] = pools.joined(separator: ",")
            environment["WL_AGENT_LABELS"] = labels.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
            environment["WL_AGENT_SLOTS"] = "\(slots)"
            environment["WL_AGENT_WORKDIR"] = layout.agentDirectory(component.name).path
            environment["WL_DISPATCH_PUBLIC_KEY_FILE"] = layout.dispatchPublicKey.path
        }
        return overlay(environment, name: component.name, extra: extra)
    }

    func brokerEnvironment(extra: [String: String]) -> [String: String] {
        var environment = Self.baseEnvironment()
        environment["WL_BROKER_PORT"] = "\(configuration.brokerPort)"
        environment["WL_BROKER_PARTITIONS"] = "\(configuration.brokerPartitions)"
        environment["WL_BROKER_ADDRESS_FILE"] = layout.brokerAddress.path
        environment["WL_INSTANCE_ID"] = Stack.brokerName
        environment["WL_LOG_LEVEL"] = configuration.logLevel
        return overlay(environment, name: Stack.brokerName, extra: extra)
    }

    private func overlay(_ environment: [String: String], name: String, extra: [String: String]) -> [String: String] {
        var result = environment
        for layer in [configuration.environment["*"], configuration.environment[name], extra] {
            result.merge(layer ?? [:]) { _, new in new }
        }
        return result
    }

    /// Executables of `names` missing from the bin directory, as one actionable error.
    func checkExecutables(_ names: [String]) throws {
        let missing = Set(names).sorted().filter {
            !FileManager.default.isExecutableFile(atPath: configuration.binDirectory.appendingPathComponent($0).path)
        }
        guard missing.isEmpty else {
            throw StackError(.configuration, "missing executables in \(configuration.binDirectory.path): "
                + missing.joined(separator: ", ") + " (build them with `swift build` or `make release`, or set WL_BIN_DIR)")
        }
    }

    /// Spawns `executable` as process `name` on `port` and records its pid.
    func launch(name: String, executable: String, port: Int, environment: [String: String]) throws -> Int32 {
        guard LoopbackPort.isFree(port) else {
            throw StackError(.portInUse, "port \(port) for \(name) is already in use by another process "
                + "(a stack started from another directory, or a leftover process?)")
        }
        let pid = try ProcessSpawner.spawn(ProcessSpawner.Request(
            executable: configuration.binDirectory.appendingPathComponent(executable).path,
            environment: environment,
            logFile: layout.logFile(name).path,
            newSession: configuration.detached))
        try layout.writePID(pid, for: name)
        return pid
    }

    /// Polls `GET /healthz` until it answers 200; fails at once if the process exits, and after the
    /// health timeout, either way with the tail of its log.
    func waitHealthy(_ component: StackComponent, pid: Int32) async throws {
        let deadline = ContinuousClock.now.advanced(by: configuration.healthTimeout)
        var last = Health.unreachable
        while ContinuousClock.now < deadline {
            guard ProcessControl.isAlive(pid) else {
                layout.removePID(component.name)
                throw StackError(.exited, "\(component.name) exited during startup (log: \(layout.logFile(component.name).path))",
                                 logTail: logTail(component.name, lines: 25))
            }
            last = await HealthProbe.check(component.endpoint)
            if last == .healthy { return }
            try await Task.sleep(for: .milliseconds(200))
        }
        throw StackError(.timeout, "\(component.name) did not answer GET \(component.endpoint)/healthz with 200 within "
            + "\(configuration.healthTimeout) (last: \(last); log: \(layout.logFile(component.name).path))",
            logTail: logTail(component.name, lines: 25))
    }

    /// Waits until the broker has written its address file and accepts connections.
    func waitForBroker(pid: Int32) async throws -> String {
        let deadline = ContinuousClock.now.advanced(by: configuration.healthTimeout)
        while ContinuousClock.now < deadline {
            guard ProcessControl.isAlive(pid) else {
                layout.removePID(Stack.brokerName)
                throw StackError(.exited, "\(Stack.brokerName) exited during startup",
                                 logTail: logTail(Stack.brokerName, lines: 25))
            }
            if SmallFile.exists(layout.brokerAddress.path), LoopbackPort.accepts(configuration.brokerPort) {
                return kafkaBootstrap
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw StackError(.timeout, "\(Stack.brokerName) did not write \(layout.brokerAddress.path) and listen on port "
            + "\(configuration.brokerPort) within \(configuration.healthTimeout)", logTail: logTail(Stack.brokerName, lines: 25))
    }
}
