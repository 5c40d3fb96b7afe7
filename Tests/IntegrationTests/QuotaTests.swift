import Contracts
import Foundation
import LocalStack
import Testing

extension Integration {
    /// Quotas, ceilings and concurrency keys through the real pipeline: work over a limit waits
    /// with a visible reason and runs once the limit allows; nothing is dropped.
    @Suite struct QuotaTests {
        @Test func quotasHoldWorkVisiblyAndLiveChangesReleaseIt() async throws {
            try await Stack.withIsolated(name: "quota") { stack in
                let api = StackAPI(stack)
                let dispatch = DispatchAPI(api: api)
                let spans = stack.configuration.root.appendingPathComponent("spans.out").path
                let receiver = try WebhookReceiver()
                _ = try await api.call("PUT", "notifier", "/v1/alert-routes", tenant: "acme", body: try WireCoding.encode(["webhookUrl": receiver.url]))
                #expect(try await dispatch.put("/v1/quotas/acme", #"{"maxRunning": 2, "dailyMax": 5}"#) == 200)
                try await api.apply(Spans.parallel(name: "eight", count: 8, file: spans, sleep: 0.4), tenant: "acme")
                let run = try await api.start("eight", tenant: "acme")

                let reason = try await dispatch.waitReason(run, tenant: "acme", containing: "daily quota")
                #expect(reason?.contains("quota: acme reached its daily quota (5)") == true)
                let alerted = try await api.eventually {
                    receiver.received.contains { String(decoding: $0, as: UTF8.self).contains("quota.daily") }
                }
                #expect(alerted, "reaching the daily quota raised an alert")
                let held = try await dispatch.queue(tenant: "acme")
                #expect(held.queued == 3 && held.throttleReason?.contains("daily quota") == true)
                #expect(held.nextDispatchAt != nil, "the next dispatch is estimated at the daily reset")
                let pool = try await dispatch.pools().first { $0.name == "default" }
                #expect(pool?.queued == 3 && (pool?.running ?? 3) <= 2, "the pool view counts the held tasks: \(String(describing: pool))")
                let shown = try api.cli(["quota", "show", "acme"])
                #expect(shown.contains("daily quota") && shown.contains("acme"))

                // A tenant's own admin sees its own queue only and may change no platform setting.
                let globexAdmin = try await TenantClient.issue(stack, tenant: "globex", name: "ops", role: "admin", create: false)
                let own = try await globexAdmin.call("GET", "dispatcher", "/v1/quotas")
                #expect(own.status == 200 && own.text.contains("globex") && !own.text.contains("acme"), "\(own)")
                let queueView = try await globexAdmin.call("GET", "dispatcher", "/v1/queue")
                #expect(queueView.status == 200 && !queueView.text.contains(run.key))
                for (method, path, body) in [("PUT", "/v1/quotas/acme", "{}"), ("PUT", "/v1/quotas/globex", #"{"maxRunning": 1000}"#),
                                             ("PUT", "/v1/throttles/global", "{}"), ("PUT", "/v1/pools/default", #"{"dedicatedTo": "globex"}"#),
                                             ("POST", "/v1/agents/agent-1/drain", "{}"), ("GET", "/v1/agents", nil), ("GET", "/v1/throttles", nil),
                                             ("GET", "/v1/pools", nil)] as [(String, String, String?)] {
                    let answer = try await globexAdmin.call(method, "dispatcher", path, body: body)
                    #expect(answer.status == 403, "\(method) \(path) -> \(answer)")
                }
                let sneaky = try await globexAdmin.call("GET", "dispatcher", "/v1/quotas?tenant=acme")
                #expect(sneaky.status == 200 && !sneaky.text.contains("acme"), "the tenant filter is the platform admin's only")

                _ = try api.cli(["quota", "set", "acme", "--daily", "100"])
                let finished = try await api.waitForRun(run, tenant: "acme", timeout: .seconds(60))
                #expect(finished.state == "succeeded")
                let events = Spans.events(spans)
                #expect(events.filter(\.start).count == 8, "every task ran once: none was dropped")
                #expect(Spans.maxOverlap(events) <= 2, "never more than maxRunning = 2 at once")
            }
        }

        @Test func concurrencyKeyAndPeakWindowHoldAcrossTenants() async throws {
            try await Stack.withIsolated(name: "semaphore") { stack in
                let api = StackAPI(stack)
                let dispatch = DispatchAPI(api: api)
                let spans = stack.configuration.root.appendingPathComponent("spans.out").path
                let key = #", "concurrency": {"key": "db:ledger", "limit": 2}"#
                try await api.apply(Spans.parallel(name: "ledger", count: 5, file: spans, sleep: 0.5, extra: key), tenant: "acme")
                try await api.apply(Spans.parallel(name: "ledger", count: 5, file: spans, sleep: 0.5, extra: key), tenant: "globex")
                let first = try await api.start("ledger", tenant: "acme")
                let second = try await api.start("ledger", tenant: "globex")
                let reason = try await dispatch.waitReason(second, tenant: "globex", containing: "concurrency")
                #expect(reason == "concurrency: db:ledger has 2 running (its limit)")
                for (run, tenant) in [(first, "acme"), (second, "globex")] {
                    #expect(try await api.waitForRun(run, tenant: tenant, timeout: .seconds(60)).state == "succeeded")
                }
                let keyed = Spans.events(spans)
                #expect(keyed.filter(\.start).count == 10)
                #expect(Spans.maxOverlap(keyed) == 2, "the key's limit held across both tenants, and was used")

                // A peak window open all day lowers the platform ceiling to one task at a time.
                let peak = try api.cli(["throttle", "set", "--peak", "daily 00:00-00:00 UTC", "--peak-max-running", "1"], tenant: "acme")
                #expect(peak.contains("throttle global set"))
                let peaks = stack.configuration.root.appendingPathComponent("peak.out").path
                try await api.apply(Spans.parallel(name: "busy", count: 4, file: peaks, sleep: 0.3), tenant: "acme")
                let busy = try await api.start("busy", tenant: "acme")
                let throttled = try await dispatch.waitReason(busy, tenant: "acme", containing: "peak window")
                #expect(throttled == "throttle: platform at its running ceiling (1), peak window")
                #expect(try await api.waitForRun(busy, tenant: "acme", timeout: .seconds(60)).state == "succeeded")
                #expect(Spans.maxOverlap(Spans.events(peaks)) == 1)
                #expect(try api.cli(["throttle", "show"]).contains("daily 00:00-00:00 UTC"))
                let metrics = try await api.call("GET", "dispatcher", "/metrics", tenant: "acme")
                #expect(String(decoding: metrics.body, as: UTF8.self).contains("wl_dispatcher_dispatched_total{tenant=\"acme\"}"))
            }
        }
    }
}
