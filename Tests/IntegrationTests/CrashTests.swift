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
