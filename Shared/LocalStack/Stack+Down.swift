import Foundation

/// `down`: stop everything, most dependent first, and tidy the run directory.
extension Stack {
    /// SIGTERMs agents and services together, then the broker, then stops Postgres (owned) or
    /// drops the stack's database (shared, when configured). Each process gets the stop timeout to
    /// drain before SIGKILL, which is reported. Keeps going when a step fails and throws all
    /// failures at the end.
    public func down(progress: @escaping @Sendable (String) -> Void = { _ in }) async throws {
        var failures: [String] = []
        let names = configuration.components.map(\.name)
        await withTaskGroup(of: Void.self) { group in
            for name in names {
                group.addTask { await stopReporting(name, progress: progress) }
            }
        }
        await stopReporting(Stack.brokerName, progress: progress)
        SmallFile.remove(layout.brokerAddress.path)
        SmallFile.remove(layout.manifest.path)

        let cluster = configuration.postgres.cluster
        let database = configuration.database
        switch configuration.postgres {
        case .owned:
            do {
                let wasRunning = try await Blocking.run { () -> Bool in
                    let running = cluster.isRunning
                    try cluster.stop()
                    return running
                }
                progress(wasRunning ? "postgres stopped" : "postgres was not running")
            } catch {
                failures.append("postgres: \(error)")
            }
            layout.removePID(Stack.postgresName)
        case .shared where configuration.dropDatabaseOnDown:
            do {
                try await Blocking.run { try cluster.dropDatabase(database) }
                progress("database \(database) dropped")
            } catch {
                failures.append("dropping database \(database): \(error)")
            }
        case .shared:
            break
        }
        if !failures.isEmpty {
            throw StackError(.multiple, "stopping the stack failed: " + failures.joined(separator: "; "))
        }
    }

    private func stopReporting(_ name: String, progress: @Sendable (String) -> Void) async {
        let outcome = await stopProcess(name, signal: SIGTERM, timeout: configuration.stopTimeout)
        switch outcome {
        case .notRunning:
            break
        case .killedAfterTimeout:
            progress("\(name) did not stop within \(configuration.stopTimeout) of SIGTERM; sent SIGKILL")
        case .gone:
            progress("\(name) stopped")
        case .exited, .signalled:
            progress("\(name) stopped (\(outcome))")
        }
    }

    /// Sends `signal` to `name`, waits up to `timeout`, SIGKILLs on timeout, removes the pid file.
    func stopProcess(_ name: String, signal: Int32, timeout: Duration) async -> ProcessOutcome {
        guard let pid = pid(of: name) else {
            layout.removePID(name)
            return .notRunning
        }
        ProcessControl.signal(pid, signal)
        var outcome = await ProcessControl.waitForExit(pid, timeout: timeout)
        if outcome == nil {
            ProcessControl.signal(pid, SIGKILL)
            _ = await ProcessControl.waitForExit(pid, timeout: .seconds(10))
            outcome = .killedAfterTimeout
        }
        layout.removePID(name)
        return outcome ?? .killedAfterTimeout
    }
}
