import Foundation
import LocalStack
import Testing

extension Integration {
    /// SIGKILL at random moments: nothing is lost, nothing runs twice.
    @Suite struct CrashTests {
        @Test func runSurvivesKilledResolverDispatcherAndTriggerWithEveryTaskRunOnce() async throws {
            try await Stack.withIsolated(name: "crash-core") { stack in
                let api = StackAPI(stack)
                let output = stack.configuration.root.appendingPathComponent("tasks.out").path
                try await api.apply(Workflows.layered(name: "big", layers: 20, width: 10, file: output, sleep: 0.2), tenant: "acme")
                let id = try await api.start("big", tenant: "acme")
                // The run request is committed to the outbox but maybe not yet published.
                try await stack.restart("trigger-service")
                var generator = SystemRandomNumberGenerator()
                var kills = 0
                let victims = ["dependency-resolver", "dispatcher", "trigger-service"]
                while kills < 8, try await api.run(id, tenant: "acme").state != "succeeded" {
                    try await Task.sleep(for: .milliseconds(Int.random(in: 300...1_500, using: &generator)))
                    let victim = victims.randomElement(using: &generator) ?? "dispatcher"
                    await stack.kill(victim)
                    try await Task.sleep(for: .milliseconds(Int.random(in: 0...700, using: &generator)))
                    try await stack.start(victim)
                    kills += 1
                }
                let run = try await api.waitForRun(id, tenant: "acme", timeout: .seconds(180))
                #expect(run.state == "succeeded")
                #expect(run.tasks.count == 200 && run.tasks.allSatisfy { $0.state == "succeeded" && $0.attempt == 1 })
                let lines = recordedLines(output)
                let perTask = Dictionary(grouping: lines, by: { $0.split(separator: " ").first.map(String.init) ?? "" })
                #expect(perTask.count == 200, "every task executed")
                #expect(perTask.values.allSatisfy { $0.count == 1 }, "no task executed twice: \(perTask.filter { $0.value.count > 1 }.keys.sorted())")
                #expect(kills >= 3, "the run outlived the kills; make it longer")
            }
        }

        /// The same with the engine's moving parts in the run: conditions, a switch, a retried
        /// task and a sub-workflow. Every command runs exactly once (the flaky one exactly twice).
        @Test func conditionsRetriesAndSubWorkflowsSurviveKills() async throws {
            try await Stack.withIsolated(name: "crash-engine") { stack in
                let api = StackAPI(stack)
                let engine = EngineAPI(api: api, tenant: "acme")
                let output = stack.configuration.root.appendingPathComponent("tasks.out").path
                let marker = stack.configuration.root.appendingPathComponent("flaky.marker").path
                #expect(try await engine.apply(Workflows.layered(name: "child", layers: 8, width: 4, file: output, sleep: 0.5)).status == 201)
                let record = Workflows.recording(output, sleep: 0.2)
                #expect(try await engine.apply("""
                    {"name": "parent", "params": {"mode": "full"}, "tasks": [
                      {"id": "start", "run": \(JSONString.quote(record))},
                      {"id": "full", "run": \(JSONString.quote(record)), "after": ["start"], "when": "params.mode == 'full'"},
                      {"id": "quick", "run": \(JSONString.quote(record)), "after": ["start"], "when": "params.mode == 'quick'"},
                      {"id": "flaky", "after": ["start"], "retry": {"limit": 2, "delay": "1s"},
                       "run": \(JSONString.quote("echo \"$WL_TASK_ID $WL_ATTEMPT $WL_TENANT\" >> \(output); [ -f \(marker) ] || { touch \(marker); exit 1; }"))},
                      {"id": "route", "after": ["full", "quick"], "triggerRule": "noneFailed",
                       "switch": {"cases": [{"when": "params.mode == 'full'", "goto": "deep"}], "default": "shallow"}},
                      {"id": "deep", "workflow": {"name": "child"}, "after": ["route"]},
                      {"id": "shallow", "run": \(JSONString.quote(record)), "after": ["route"]},
                      {"id": "end", "run": \(JSONString.quote(record)), "after": ["deep", "shallow", "flaky"], "triggerRule": "noneFailed"}
                    ]}
                    """).status == 201)
                let id = try await engine.start("parent")
                var generator = SystemRandomNumberGenerator()
                var kills = 0
                let victims = ["dependency-resolver", "dispatcher", "trigger-service"]
                while kills < 6, try await !["succeeded", "failed", "cancelled"].contains(engine.run(id).state) {
                    try await Task.sleep(for: .milliseconds(Int.random(in: 300...1_200, using: &generator)))
                    let victim = victims.randomElement(using: &generator) ?? "dispatcher"
                    await stack.kill(victim)
                    try await Task.sleep(for: .milliseconds(Int.random(in: 0...500, using: &generator)))
                    try await stack.start(victim)
                    kills += 1
                }
                let run = try await engine.wait(id, timeout: .seconds(180))
                #expect(run.state == "succeeded")
                #expect(run.states == ["start": "succeeded", "full": "succeeded", "quick": "skipped", "flaky": "succeeded",
                                       "route": "succeeded", "deep": "succeeded", "shallow": "skipped", "end": "succeeded"])
                let lines = recordedLines(output)
                let perTask = Dictionary(grouping: lines, by: { $0.split(separator: " ").first.map(String.init) ?? "" })
                #expect(perTask["flaky"]?.count == 2, "the flaky task ran twice: once failing, once retried")
                #expect(perTask.filter { $0.key != "flaky" }.values.allSatisfy { $0.count == 1 },
                        "no task ran twice: \(perTask.filter { $0.value.count > 1 && $0.key != "flaky" }.keys.sorted())")
                #expect(perTask.count == 4 + 32, "start, full, flaky, end and the child's 32 tasks ran")
                #expect(kills >= 2, "the run outlived the kills")
            }
        }

        @Test func runSurvivesKilledAgentAndNoTaskSucceedsTwice() async throws {
            try await Stack.withIsolated(name: "crash-agent", configure: { configuration in
                configuration.environment["dispatcher"] = ["WL_AGENT_TIMEOUT": "3"]
            }) { stack in
                let api = StackAPI(stack)
                let output = stack.configuration.root.appendingPathComponent("tasks.out").path
                try await api.apply(Workflows.layered(name: "slow", layers: 6, width: 12, file: output, sleep: 1), tenant: "acme")
                let id = try await api.start("slow", tenant: "acme")
                let busy = try await api.eventually(timeout: .seconds(60)) {
                    try await api.run(id, tenant: "acme").tasks.filter { $0.state == "running" }.count >= 8
                }
                #expect(busy, "both agents were running tasks")
                await stack.kill("agent-1")
                let run = try await api.waitForRun(id, tenant: "acme", timeout: .seconds(180))
                #expect(run.state == "succeeded")
                #expect(run.tasks.allSatisfy { $0.state == "succeeded" })
                #expect(run.tasks.contains { $0.attempt > 1 }, "the lost agent's tasks were re-dispatched with a new attempt")
                let lines = recordedLines(output)
                #expect(Set(lines.compactMap { $0.split(separator: " ").first.map(String.init) }).count == 72, "every task ran")
                #expect(Set(lines).count == lines.count, "no attempt executed twice")
                let audited = try await api.eventually {
                    let successes = try await api.audit(run: id, tenant: "acme").filter { $0.action == "task.succeeded" }
                    return successes.count == 72
                }
                #expect(audited, "exactly one recorded success per task")
                let successes = try await api.audit(run: id, tenant: "acme").filter { $0.action == "task.succeeded" }.compactMap(\.taskId)
                #expect(Set(successes).count == successes.count)
            }
        }

        /// An agent that dies and comes straight back under the same id keeps heart-beating, so only
        /// its new session tells the dispatcher that the attempts it held died with the old process.
        @Test func agentRestartedUnderTheSameIDHasItsLostAttemptsRedispatched() async throws {
            try await Stack.withIsolated(name: "crash-restart", agents: 1, configure: { configuration in
                configuration.environment["dispatcher"] = ["WL_AGENT_TIMEOUT": "600"]
            }) { stack in
                let api = StackAPI(stack)
                let output = stack.configuration.root.appendingPathComponent("tasks.out").path
                try await api.apply(Workflows.layered(name: "slow", layers: 2, width: 4, file: output, sleep: 2), tenant: "acme")
                let id = try await api.start("slow", tenant: "acme")
                let busy = try await api.eventually(timeout: .seconds(60)) {
                    try await api.run(id, tenant: "acme").tasks.filter { $0.state == "running" }.count == 4
                }
                #expect(busy)
                try await stack.restart("agent-1")
                let run = try await api.waitForRun(id, tenant: "acme", timeout: .seconds(90))
                #expect(run.state == "succeeded")
                #expect(run.tasks.filter { $0.id.hasPrefix("l0") }.allSatisfy { $0.attempt == 2 }, "the killed attempts were re-dispatched")
                #expect(Set(recordedLines(output)).count == 8, "every task ran once to completion")
            }
        }
    }
}
