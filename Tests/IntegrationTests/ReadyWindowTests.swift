import Contracts
import Foundation
import LocalStack
import Testing

extension Integration {
    /// The resolver's ready window (`WL_RUN_READY_WINDOW`): a run bigger than the window never
    /// has more of its tasks ready and undispatched than the window; the rest wait as `held`
    /// with the reason, go as dispatches make room, and every task still runs exactly once. A
    /// cancelled run's held tasks are skipped, never sent.
    @Suite(.serialized) struct ReadyWindowTests {
        static let window = 3
        /// More than the agent's 8 slots and the window together, so tasks are held for a while.
        static let tasks = 30

        @Test func aWideRunFlowsThroughTheWindowAndEachTaskRunsOnce() async throws {
            try await Stack.withIsolated(name: "ready-window", agents: 1, configure: { configuration in
                configuration.environment["dependency-resolver"] = ["WL_RUN_READY_WINDOW": "\(Self.window)"]
            }) { stack in
                let engine = EngineAPI(api: StackAPI(stack), tenant: "acme")
                let out = stack.configuration.root.appendingPathComponent("window.out").path
                let tasks = (1...Self.tasks).map { #"{"id": "t\#($0)", "run": "echo t\#($0) >> \#(out); sleep 1"}"# }
                #expect(try await engine.apply(#"{"name": "wide", "tasks": [\#(tasks.joined(separator: ", "))]}"#).status == 201)
                let id = try await engine.start("wide")

                var sawHeld = false
                var mostReady = 0
                var last = try await engine.run(id)
                while !["succeeded", "failed", "cancelled"].contains(last.state) {
                    let held = last.tasks.filter { $0.state == "held" }
                    sawHeld = sawHeld || held.contains { $0.reason?.contains("ready window") == true }
                    mostReady = max(mostReady, last.tasks.filter { $0.state == "ready" }.count)
                    try await Task.sleep(for: .milliseconds(50))
                    last = try await engine.run(id)
                }
                #expect(last.state == "succeeded", "\(last.states)")
                #expect(sawHeld, "tasks beyond the window waited as held, with the reason")
                #expect(mostReady <= Self.window, "never more than the window ready at once (saw \(mostReady))")
                #expect(recordedLines(out).sorted() == (1...Self.tasks).map { "t\($0)" }.sorted(), "every task ran exactly once")
                #expect(last.tasks.allSatisfy { $0.attempt == 1 }, "no task was sent twice")

                // Cancelled while tasks are held: they are skipped, and nothing runs after.
                let cancelled = try await engine.start("wide")
                _ = try await engine.api.eventually { try await engine.run(cancelled).tasks.contains { $0.state == "held" } }
                #expect(try await engine.api.call("POST", "trigger-service", "/v1/runs/\(cancelled.key)/cancel", tenant: "acme").status == 202)
                let ended = try await engine.wait(cancelled)
                #expect(ended.state == "cancelled")
                #expect(!ended.tasks.contains { $0.state == "held" || $0.state == "ready" }, "\(ended.states)")
                #expect(ended.tasks.contains { $0.state == "skipped" })
                // At most the agent's 8 slots and the window's 3 were sent before the cancel;
                // a held task sent after it would make the run's lines reach all of them.
                try await Task.sleep(for: .seconds(3))
                let ran = recordedLines(out).count - Self.tasks
                #expect(ran < Self.tasks, "held tasks of the cancelled run were never sent (\(ran) ran)")
            }
        }

        /// The window's counts are kept by the status path and counted afresh by every other
        /// change, so no way in or out of `ready` or `held` strands a held task: a retry, a pause
        /// and resume while tasks are held, a held task marked by hand, and a rerun of the whole
        /// run each still end with every task run (once per run of it).
        @Test func retriesPausesMarksAndRerunsKeepTheWindowMoving() async throws {
            try await Stack.withIsolated(name: "ready-window-paths", agents: 1, configure: { configuration in
                configuration.environment["dependency-resolver"] = ["WL_RUN_READY_WINDOW": "\(Self.window)"]
            }) { stack in
                let engine = EngineAPI(api: StackAPI(stack), tenant: "acme")
                let root = stack.configuration.root.path
                let out = "\(root)/paths.out"
                // t1 fails its first try and is retried; the others take a second each.
                var tasks = [#"{"id": "t1", "run": "test -f \#(root)/retried || { touch \#(root)/retried; exit 1; }; echo t1 >> \#(out)", "retry": {"limit": 2, "delay": "1s"}}"#]
                tasks += (2...Self.tasks).map { #"{"id": "t\#($0)", "run": "echo t\#($0) >> \#(out); sleep 1"}"# }
                #expect(try await engine.apply(#"{"name": "paths", "tasks": [\#(tasks.joined(separator: ", "))]}"#).status == 201)
                let id = try await engine.start("paths")

                _ = try await engine.wait(id, task: "t\(Self.tasks)", state: "held")
                #expect(try await engine.control(id, "pause") == 202)
                _ = try await engine.api.eventually { try await engine.run(id).state == "paused" }
                try await Task.sleep(for: .seconds(2))
                #expect(try await engine.control(id, "resume") == 202)
                let marked = "t\(Self.tasks)"
                #expect(try await engine.control(id, "tasks/\(marked)/mark", body: #"{"state": "succeeded"}"#) == 202)
                let first = try await engine.wait(id)
                #expect(first.state == "succeeded", "\(first.states)")
                #expect(first.task(marked)?.finishedBy != nil, "the held task was marked by hand, not run")
                #expect(first.task("t1")?.attempt == 2, "t1 was retried")
                let once = (1..<Self.tasks).map { "t\($0)" }
                #expect(recordedLines(out).sorted() == once.sorted(), "every other task ran exactly once")

                #expect(try await engine.control(id, "rerun", body: #"{"mode": "all"}"#) == 202)
                _ = try await engine.api.eventually { try await engine.run(id).reruns == 1 }
                let second = try await engine.wait(id, for: ["succeeded", "failed"])
                #expect(second.state == "succeeded", "\(second.states)")
                #expect(recordedLines(out).sorted() == (once + (1...Self.tasks).map { "t\($0)" }).sorted(),
                        "the rerun ran every task once more")
            }
        }
    }
}
