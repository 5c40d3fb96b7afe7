import Foundation
import LocalStack
import Testing

extension Integration {
    /// Process lifecycle promises every service makes: SIGTERM drains and exits 0; bad configuration
    /// stops startup with one clear line.
    @Suite struct LifecycleTests {
        @Test func everyProcessDrainsOnSIGTERMAndExitsZero() async throws {
            try await Stack.withIsolated(name: "drain", agents: 1) { stack in
                let api = StackAPI(stack)
                try await api.apply(Workflows.definition(name: "short", tasks: [("one", "sleep 1", [])]), tenant: "acme")
                let id = try await api.start("short", tenant: "acme")
                let running = try await api.eventually(timeout: .seconds(30)) {
                    try await api.run(id, tenant: "acme").tasks.first?.state == "running"
                }
                #expect(running)
                // The agent finishes the attempt in hand and reports it before it exits.
                #expect(await stack.terminate("agent-1") == .exited(0))
                for name in StackComponent.serviceNames where name != "dependency-resolver" {
                    #expect(await stack.terminate(name) == .exited(0), "\(name) drains and exits 0")
                }
                let view = try await api.run(id, tenant: "acme")
                #expect(view.tasks.first?.state == "succeeded", "the in-flight task's outcome was reported during the drain")
                #expect(await stack.terminate("dependency-resolver") == .exited(0))
            }
        }

        @Test(arguments: [
            (["WL_DATABASE_URL": "host=127.0.0.1"], "WL_KAFKA_BOOTSTRAP is required but not set"),
            (["WL_KAFKA_BOOTSTRAP": "127.0.0.1:1"], "WL_DATABASE_URL is required but not set"),
            (["WL_KAFKA_BOOTSTRAP": "127.0.0.1:1", "WL_DATABASE_URL": "x", "WL_HTTP_PORT": "http"], "WL_HTTP_PORT must be an integer"),
        ])
        func badConfigurationStopsStartupWithOneClearLine(environment: [String: String], message: String) throws {
            let configuration = try StackConfiguration.isolated(name: "config", agents: 0)
            let process = Process()
            process.executableURL = configuration.binDirectory.appendingPathComponent("dispatcher")
            process.environment = environment.merging(["PATH": "/usr/bin:/bin"]) { $1 }
            let errors = Pipe()
            process.standardError = errors
            process.standardOutput = FileHandle.nullDevice
            try process.run()
            let output = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            #expect(process.terminationStatus == 2)
            #expect(output.split(separator: "\n").count == 1)
            #expect(output.contains(message), "\(output)")
        }
    }
}
