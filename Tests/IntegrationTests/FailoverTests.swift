import Contracts
import Foundation
import Glibc
import LocalStack
import Testing

extension Integration {
    /// Several dispatchers, dying dispatchers and agents that vanish and come back.
    @Suite struct FailoverTests {
        /// Two dispatchers share the work while the platform ceiling of 10 running holds; one of
        /// them is SIGKILLed mid-flight and every task still runs exactly once.
        @Test func twoDispatchersHoldTheGlobalLimitAndSurviveAKill() async throws {
            let port = try LoopbackPort.free()
            try await Stack.withIsolated(name: "two-dispatchers", configure: { configuration in
                configuration.components.append(StackComponent(name: "dispatcher-2", executable: "dispatcher", port: port, role: .service))
            }) { stack in
                let api = StackAPI(stack)
                let dispatch = DispatchAPI(api: api)
                let spans = stack.configuration.root.appendingPathComponent("spans.out").path
                #expect(try await dispatch.put("/v1/throttles/global", #"{"maxRunning": 10, "rampUpSeconds": 0}"#) == 200)
                try await api.apply(Spans.parallel(name: "wide", count: 80, file: spans, sleep: 0.3), tenant: "acme")
                try await api.apply(Spans.parallel(name: "wide", count: 40, file: spans, sleep: 0.3), tenant: "globex")
                let runs = [("acme", try await api.start("wide", tenant: "acme")), ("globex", try await api.start("wide", tenant: "globex"))]
                let started = try await api.eventually { Spans.events(spans).filter(\.start).count >= 30 }
                #expect(started)
                await stack.kill("dispatcher")
                try await Task.sleep(for: .seconds(1))
                try await stack.start("dispatcher")
                for (tenant, run) in runs {
                    #expect(try await api.waitForRun(run, tenant: tenant, timeout: .seconds(120)).state == "succeeded")
                }
                let events = Spans.events(spans)
                let starts = events.filter(\.start)
                let repeated = Dictionary(grouping: starts) { "\($0.tenant)/\($0.task)" }.filter { $0.value.count > 1 }
                    .map { "\($0.key) attempts \($0.value.map(\.attempt))" }.sorted()
                #expect(starts.count == 120, "every task ran once; started more than once: \(repeated)")
                #expect(Set(starts.map { "\($0.tenant)/\($0.task)" }).count == 120, "no task ran twice")
                let overlap = Spans.maxOverlap(events)
                #expect(overlap <= 10, "the global maxRunning = 10 held across both dispatchers (saw \(overlap))")
                #expect(overlap >= 8, "the limit was actually reached (saw \(overlap))")
            }
        }

        /// A dispatcher that was down for longer than the agent timeout reads the heartbeats sent
        /// meanwhile before it believes any agent silent: the running attempts are kept, none is
        /// given up and run again.
        @Test func aDispatcherBackFromALongOutageKeepsTheRunningAttempts() async throws {
            try await Stack.withIsolated(name: "dispatcher-outage", configure: { configuration in
                configuration.environment["dispatcher"] = ["WL_AGENT_TIMEOUT": "3"]
            }) { stack in
                let api = StackAPI(stack)
                let dispatch = DispatchAPI(api: api)
                let slow = JSONString.quote("sleep 10")
                try await api.apply(#"{"name": "long", "tasks": [{"id": "one", "run": \#(slow)}, {"id": "two", "run": \#(slow)}]}"#,
                                    tenant: "acme")
                let run = try await api.start("long", tenant: "acme")
                let running = try await api.eventually(timeout: .seconds(30)) {
                    try await dispatch.placement(run, tenant: "acme").tasks.allSatisfy { $0.state == "running" }
                }
                #expect(running)
                await stack.kill("dispatcher")
                try await Task.sleep(for: .seconds(5))
                try await stack.start("dispatcher")
                let finished = try await api.waitForRun(run, tenant: "acme", timeout: .seconds(90))
                #expect(finished.state == "succeeded")
                #expect(finished.tasks.allSatisfy { $0.attempt == 1 }, "no attempt was given up: \(finished.tasks.map(\.attempt))")
                #expect(!(try await api.audit(run: run, tenant: "acme")).contains { $0.action == "task.lost" })
            }
        }

        /// An order is given up when its agent does not take it within WL_ACCEPT_TIMEOUT, but an
        /// order the agent's heartbeats list is taken even when its `running` report has not
        /// reached the dispatcher (a busy dispatcher reads reports late): only the other is lost.
        @Test func heartbeatsAcceptOrdersAndUntakenOrdersAreLost() async throws {
            try await Stack.withIsolated(name: "accept-timeout", agents: 0, configure: { configuration in
                configuration.environment["dispatcher"] = ["WL_ACCEPT_TIMEOUT": "3", "WL_AGENT_TIMEOUT": "60"]
            }) { stack in
                let api = StackAPI(stack)
                let dispatch = DispatchAPI(api: api)
                let ghost = try AgentDriver(stack, agent: "ghost")
                let session = UUID().key
                try await ghost.beat(session: session)
                #expect(try await api.eventually { try await dispatch.agentIDs().contains("ghost") })
                try await api.apply(#"{"name": "ghosted", "tasks": [{"id": "held", "run": "true"}, {"id": "untaken", "run": "true"}]}"#,
                                    tenant: "acme")
                let run = try await api.start("ghosted", tenant: "acme")
                let held = [AttemptRef(runID: run, taskID: "held", attempt: 1)]
                var lost = false
                for _ in 0..<60 where !lost {
                    try await ghost.beat(session: session, attempts: held)
                    try await Task.sleep(for: .milliseconds(500))
                    lost = try await api.audit(run: run, tenant: "acme").contains { $0.action == "task.lost" && $0.taskId == "untaken" }
                }
                #expect(lost, "the order nobody took was given up after the accept timeout")
                for _ in 0..<10 {
                    try await ghost.beat(session: session, attempts: held)
                    try await Task.sleep(for: .milliseconds(500))
                }
                let audit = try await api.audit(run: run, tenant: "acme")
                #expect(!audit.contains { $0.action == "task.lost" && $0.taskId == "held" },
                        "the order the agent's heartbeats listed was not given up, though no running report came")
                let tasks = try await dispatch.placement(run, tenant: "acme").tasks
                #expect(tasks.first { $0.id == "held" }?.attempt == 1)
                #expect((tasks.first { $0.id == "untaken" }?.attempt ?? 0) >= 2, "the lost order was tried again")
            }
        }

        /// An agent frozen past the heartbeat timeout loses its attempts: they are retried on the
        /// other agent as attempt 2. When it thaws, its reports for attempt 1 are fenced off and
        /// the superseded processes are killed before they finish.
        @Test func lostAgentsAttemptsAreRetriedElsewhereAndTheOldOnesKilled() async throws {
            try await Stack.withIsolated(name: "lost-agent", configure: { configuration in
                configuration.environment["dispatcher"] = ["WL_AGENT_TIMEOUT": "3"]
            }) { stack in
                let api = StackAPI(stack)
                let dispatch = DispatchAPI(api: api)
                let spans = stack.configuration.root.appendingPathComponent("spans.out").path
                let slow = JSONString.quote(Spans.command(spans, sleep: 15))
                try await api.apply(#"{"name": "pinned", "tasks": [{"id": "one", "run": \#(slow)}, {"id": "two", "run": \#(slow)}]}"#, tenant: "acme")
                // The least-loaded choice puts one task on each agent, once the dispatcher has
                // both agents' heartbeats (a stack is up before its agents' first heartbeats are read).
                let bothLive = try await api.eventually { Set(try await dispatch.agentIDs()).isSuperset(of: ["agent-1", "agent-2"]) }
                #expect(bothLive)
                let run = try await api.start("pinned", tenant: "acme")
                let onAgentOne = try await api.eventually(timeout: .seconds(30)) {
                    try await dispatch.placement(run, tenant: "acme").tasks.contains { $0.agent == "agent-1" && $0.state == "running" }
                }
                #expect(onAgentOne)
                let frozen = try await dispatch.placement(run, tenant: "acme").tasks.filter { $0.agent == "agent-1" }.map(\.id)
                try stack.signal("agent-1", SIGSTOP)
                let retried = try await api.eventually(timeout: .seconds(30)) {
                    try await dispatch.placement(run, tenant: "acme").tasks.filter { frozen.contains($0.id) }.allSatisfy { $0.attempt == 2 }
                }
                #expect(retried, "the frozen agent's attempts were given up and tried again")
                try stack.signal("agent-1", SIGCONT)
                let finished = try await api.waitForRun(run, tenant: "acme", timeout: .seconds(90))
                #expect(finished.state == "succeeded")
                #expect(finished.tasks.filter { frozen.contains($0.id) }.allSatisfy { $0.attempt == 2 && $0.state == "succeeded" },
                        "late reports of attempt 1 did not change the outcome")
                let events = Spans.events(spans)
                for task in frozen {
                    #expect(events.contains { $0.start && $0.task == task && $0.attempt == 1 })
                    #expect(!events.contains { !$0.start && $0.task == task && $0.attempt == 1 },
                            "the superseded attempt of \(task) was killed before it finished")
                    #expect(events.contains { !$0.start && $0.task == task && $0.attempt == 2 })
                }
                let audit = try await api.audit(run: run, tenant: "acme")
                #expect(audit.contains { $0.action == "task.lost" })
            }
        }
    }
}
