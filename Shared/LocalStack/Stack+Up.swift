import Foundation

/// `up`: start whatever is not running, in dependency order, and wait until all of it is healthy.
extension Stack {
    /// Idempotent: parts whose pid file names a live process are left alone (but still health
    /// checked); parts with no pid file or a dead process are started; the configured tenants
    /// that do not exist are created. `progress` receives one
    /// line per step, for the CLI to print.
    public func up(progress: @escaping @Sendable (String) -> Void = { _ in }) async throws {
        try layout.createDirectories(agents: configuration.components.filter(\.isAgent).map(\.name))
        let token = try AdminToken.loadOrCreate(at: layout.adminToken)
        try checkExecutables([Stack.brokerName] + configuration.components.map(\.executable))
        try checkPorts()
        try DispatchKeys.ensure(secret: layout.dispatchSigningKey, public: layout.dispatchPublicKey)
        try await startPostgres(progress: progress)
        let bootstrap = try await startBroker(environment: [:], progress: progress)
        try StackManifest(endpoints: endpoints, kafka: bootstrap, database: databaseURL).write(to: layout.manifest)

        var launched: [(StackComponent, Int32)] = []
        for component in configuration.components {
            if let pid = pid(of: component.name) {
                progress("\(component.name) already running (pid \(pid))")
                launched.append((component, pid))
                continue
            }
            layout.removePID(component.name)
            let environment = environment(for: component, bootstrap: bootstrap, token: token, extra: [:])
            let pid = try launch(name: component.name, executable: component.executable, port: component.port,
                                 environment: environment)
            progress("\(component.name) started (pid \(pid), \(component.endpoint))")
            launched.append((component, pid))
        }
        try await withThrowingTaskGroup(of: String.self) { group in
            for (component, pid) in launched {
                group.addTask {
                    try await waitHealthy(component, pid: pid)
                    return component.name
                }
            }
            for try await name in group {
                progress("\(name) healthy")
            }
        }
        try await ensureTenants(token: token, progress: progress)
    }

    /// Fails before anything starts when a port of a part that is not running is taken, so a
    /// clash does not leave half a stack behind.
    func checkPorts() throws {
        let parts = [(Stack.brokerName, configuration.brokerPort)] + configuration.components.map { ($0.name, $0.port) }
        let taken = parts.filter { name, port in !isRunning(name) && !LoopbackPort.isFree(port) }
        guard taken.isEmpty else {
            throw StackError(.portInUse, "ports already in use by other processes: "
                + taken.map { "\($0.1) (\($0.0))" }.joined(separator: ", ")
                + "; is a stack from another directory running, or a leftover process?")
        }
    }

    func startPostgres(progress: @escaping @Sendable (String) -> Void) async throws {
        let cluster = configuration.postgres.cluster
        let database = configuration.database
        let owned: Bool
        if case .owned = configuration.postgres { owned = true } else { owned = false }
        let (wasRunning, pid) = try await Blocking.run {
            let wasRunning = cluster.isRunning
            try cluster.start()
            try cluster.createDatabase(database)
            return (wasRunning, cluster.serverPID)
        }
        if owned {
            if let pid { try layout.writePID(pid, for: Stack.postgresName) }
            layout.linkLog(Stack.postgresName, to: cluster.logFile)
        }
        let what = owned ? "postgres" : "postgres (shared test cluster)"
        progress(wasRunning ? "\(what) already running (pid \(pid.map(String.init) ?? "?"), port \(cluster.port))"
                            : "\(what) started (pid \(pid.map(String.init) ?? "?"), port \(cluster.port))")
        progress("database \(database) ready")
    }

    /// Starts the broker unless it runs; returns its bootstrap address.
    func startBroker(environment extra: [String: String],
                     progress: @escaping @Sendable (String) -> Void) async throws -> String {
        if let pid = pid(of: Stack.brokerName) {
            progress("\(Stack.brokerName) already running (pid \(pid), \(kafkaBootstrap))")
            return kafkaBootstrap
        }
        layout.removePID(Stack.brokerName)
        SmallFile.remove(layout.brokerAddress.path)
        let pid = try launch(name: Stack.brokerName, executable: Stack.brokerName, port: configuration.brokerPort,
                             environment: brokerEnvironment(extra: extra))
        let bootstrap = try await waitForBroker(pid: pid)
        progress("\(Stack.brokerName) started (pid \(pid), \(bootstrap))")
        return bootstrap
    }
}
