import Foundation

/// Test stacks: one per test, side by side, cleaned up even when the test fails.
extension Stack {
    /// Starts an isolated stack named `name` (see `StackConfiguration.isolated`), runs `body`
    /// with it and always takes it down afterwards. `configure` adjusts the configuration first
    /// (extra environment, agent pools, timeouts). Logs stay in `.wloadctl/test-stacks/<name>/log`
    /// until the next stack of that name starts.
    public static func withIsolated<T>(
        name: String, agents: Int = 2,
        configure: (inout StackConfiguration) -> Void = { _ in },
        progress: @escaping @Sendable (String) -> Void = { _ in },
        isolation: isolated (any Actor)? = #isolation,
        _ body: (Stack) async throws -> T
    ) async throws -> T {
        var configuration = try StackConfiguration.isolated(name: name, agents: agents)
        configure(&configuration)
        let stack = Stack(configuration)
        await stack.reset()
        let result: T
        do {
            try await stack.up(progress: progress)
            result = try await body(stack)
        } catch {
            try? await stack.down(progress: progress)
            throw error
        }
        try await stack.down(progress: progress)
        return result
    }

    /// Clears what an earlier stack with this root left behind after a crash: SIGKILLs processes
    /// named by its pid files, drops its databases in a shared cluster, removes the root directory.
    /// Never touches an owned Postgres cluster's data.
    public func reset() async {
        let runDirectory = layout.runDirectory.path
        let files = (try? FileManager.default.contentsOfDirectory(atPath: runDirectory)) ?? []
        // Any of the stack's executables counts: the earlier stack may have had other agents.
        let executables = Set(StackComponent.serviceNames + ["agent", Stack.brokerName])
        for file in files where file.hasSuffix(".pid") && file != "\(Stack.postgresName).pid" {
            guard let pid = layout.pid(String(file.dropLast(4))), ProcessControl.isAlive(pid),
                  let command = ProcessControl.commandName(pid), executables.contains(command) else { continue }
            ProcessControl.signal(pid, SIGKILL)
            _ = await ProcessControl.waitForExit(pid, timeout: .seconds(10))
        }
        if case .shared(let cluster) = configuration.postgres, configuration.dropDatabaseOnDown,
           let cut = configuration.database.lastIndex(of: "_") {
            let prefix = String(configuration.database[...cut])
            _ = try? await Blocking.run {
                try cluster.start()
                for database in try cluster.databases(prefix: prefix) {
                    try cluster.dropDatabase(database)
                }
            }
        }
        if case .owned = configuration.postgres { return }
        try? FileManager.default.removeItem(at: configuration.root)
    }
}
