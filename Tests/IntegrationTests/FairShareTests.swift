import Contracts
import Foundation
import LocalStack
import Testing

extension Integration {
    /// Fair share, agent selection, dedicated pools and draining through the real pipeline.
    @Suite struct FairShareTests {
        /// acme floods the shared agents; globex's tasks, submitted mid-flood, get every other
        /// freed slot (equal weights) instead of waiting behind acme's queue.
        @Test func floodingTenantDoesNotHoldBackAnother() async throws {
            try await Stack.withIsolated(name: "flood", configure: { configuration in
                configuration.environment["agent-1"] = ["WL_AGENT_SLOTS": "2"]
                configuration.environment["agent-2"] = ["WL_AGENT_SLOTS": "2"]
            }) { stack in
                let api = StackAPI(stack)
                let dispatch = DispatchAPI(api: api)
                let spans = stack.configuration.root.appendingPathComponent("spans.out").path
                try await api.apply(Spans.parallel(name: "flood", count: 300, file: spans, sleep: 0.1), tenant: "acme")
                try await api.apply(Spans.parallel(name: "urgent", count: 6, file: spans, sleep: 0.1), tenant: "globex")
                let flood = try await api.start("flood", tenant: "acme")
                let queued = try await api.eventually(timeout: .seconds(30)) { try await dispatch.queue(tenant: "acme").queued > 200 }
                #expect(queued, "acme's flood is queued behind 4 slots")
                let before = Spans.events(spans).filter(\.start).count
                let urgent = try await api.start("urgent", tenant: "globex")
                #expect(try await api.waitForRun(urgent, tenant: "globex", timeout: .seconds(60)).state == "succeeded")
                let starts = Spans.events(spans).filter(\.start)
                guard let lastUrgent = starts.lastIndex(where: { $0.tenant == "globex" }) else {
                    Issue.record("globex's tasks never started")
                    return
                }
                let acmeMeanwhile = starts[before...lastUrgent].filter { $0.tenant == "acme" }.count
                // With equal weights globex gets a freed slot whenever it has fewer running than
                // acme: its 6 tasks go within about 6 of acme's, never after acme's 200-deep queue.
                #expect(acmeMeanwhile <= 12, "acme started \(acmeMeanwhile) tasks while globex's 6 waited")
                #expect(try await dispatch.queue(tenant: "acme").queued > 100, "acme's flood was still queued when globex finished")
                _ = try await api.call("POST", "trigger-service", "/v1/runs/\(flood.key)/cancel", tenant: "acme")
            }
        }

        @Test func selectorsDedicatedPoolsAndDrainingChooseTheAgent() async throws {
            try await Stack.withIsolated(name: "placement") { stack in
                let api = StackAPI(stack)
                let dispatch = DispatchAPI(api: api)
                let spans = stack.configuration.root.appendingPathComponent("spans.out").path
                // Labels: agent-1 zone=a, agent-2 zone=b (the local stack's defaults).
                try await api.apply(#"{"name": "zoned", "tasks": [{"id": "b", "run": "true", "selector": "zone=b"}, {"id": "a", "run": "true", "selector": "zone in (a), os=linux"}]}"#, tenant: "acme")
                let zoned = try await api.start("zoned", tenant: "acme")
                #expect(try await api.waitForRun(zoned, tenant: "acme").state == "succeeded")
                let agents = Dictionary(uniqueKeysWithValues: try await dispatch.placement(zoned, tenant: "acme").tasks.map { ($0.id, $0.agent ?? "") })
                #expect(agents == ["b": "agent-2", "a": "agent-1"])

                try await api.apply(#"{"name": "nowhere", "tasks": [{"id": "x", "run": "true", "selector": "zone=c"}]}"#, tenant: "acme")
                let nowhere = try await api.start("nowhere", tenant: "acme")
                #expect(try await dispatch.waitReason(nowhere, tenant: "acme", containing: "no eligible agent")
                        == "no eligible agent: no agent in pool default matches 'zone=c'")
                #expect(try api.cli(["run", "show", nowhere.key], tenant: "acme").contains("no agent in pool default matches"))

                #expect(try api.cli(["pool", "set", "default", "--dedicated", "acme"]).contains("dedicated to tenant acme"))
                try await api.apply(#"{"name": "guest", "tasks": [{"id": "g", "run": "true"}]}"#, tenant: "globex")
                let guest = try await api.start("guest", tenant: "globex")
                #expect(try await dispatch.waitReason(guest, tenant: "globex", containing: "dedicated")
                        == "no eligible agent: pool default is dedicated to another tenant")
                _ = try api.cli(["pool", "set", "default", "--shared"])
                #expect(try await api.waitForRun(guest, tenant: "globex").state == "succeeded")

                // Drain agent-1 while it runs a long task: the task finishes there, and new work
                // only goes to agent-2.
                try await api.apply(#"{"name": "long", "tasks": [{"id": "long", "run": "sleep 3", "selector": "zone=a"}]}"#, tenant: "acme")
                let long = try await api.start("long", tenant: "acme")
                let running = try await api.eventually { try await dispatch.placement(long, tenant: "acme").tasks.first?.state == "running" }
                #expect(running)
                #expect(try api.cli(["agent", "drain", "agent-1"]).contains("draining"))
                try await api.apply(Spans.parallel(name: "after", count: 6, file: spans, sleep: 0), tenant: "acme")
                let after = try await api.start("after", tenant: "acme")
                #expect(try await api.waitForRun(after, tenant: "acme").state == "succeeded")
                #expect(try await dispatch.placement(after, tenant: "acme").tasks.allSatisfy { $0.agent == "agent-2" })
                let longRun = try await api.waitForRun(long, tenant: "acme")
                #expect(longRun.state == "succeeded" && longRun.tasks.first?.attempt == 1, "the drained agent finished its task")
                #expect(try api.cli(["agent", "list"]).contains("draining"))
                _ = try api.cli(["agent", "undrain", "agent-1"])
                _ = try await api.call("POST", "trigger-service", "/v1/runs/\(nowhere.key)/cancel", tenant: "acme")
            }
        }
    }
}
