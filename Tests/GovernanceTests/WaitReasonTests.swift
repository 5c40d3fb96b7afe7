import Contracts
import Governance
import Testing

/// Every wait reason as its tenant reads it next to the task.
@Suite struct WaitReasonTests {
    static let tenant = QuotaScope(tenant: "acme")
    static let inPool = QuotaScope(tenant: "acme", pool: "gpu")

    @Test(arguments: [
        (WaitReason.quotaRunning(tenant, 5), "quota: acme is at its max running (5)"),
        (.quotaRunning(inPool, 0), "quota: acme in pool gpu is at its max running (0)"),
        (.quotaRate(tenant, 2), "quota: acme is at its dispatch rate (2/s)"),
        (.quotaRate(inPool, 0.25), "quota: acme in pool gpu is at its dispatch rate (0.25/s)"),
        (.quotaDaily(tenant, 1_000), "quota: acme reached its daily quota (1000); resumes 00:00 UTC"),
        (.quotaDaily(inPool, 3), "quota: acme in pool gpu reached its daily quota (3); resumes 00:00 UTC"),
        (.globalRunning(500, why: nil), "throttle: platform at its running ceiling (500)"),
        (.globalRunning(50, why: "peak window"), "throttle: platform at its running ceiling (50), peak window"),
        (.globalRate(100, why: nil), "throttle: platform dispatch ceiling (100/s)"),
        (.globalRate(31.622_776, why: "ramp-up after a restart"), "throttle: platform dispatch ceiling (31.62/s), ramp-up after a restart"),
        (.poolRunning("gpu", 8, why: nil), "throttle: pool gpu at its running ceiling (8)"),
        (.poolRunning("gpu", 2, why: "peak window"), "throttle: pool gpu at its running ceiling (2), peak window"),
        (.poolRate("gpu", 10, why: nil), "throttle: pool gpu dispatch ceiling (10/s)"),
        (.poolRate("gpu", 1.5, why: "peak window"), "throttle: pool gpu dispatch ceiling (1.50/s), peak window"),
        (.concurrency("db:ledger", 3), "concurrency: db:ledger has 3 running (its limit)"),
        (.dedicated(pool: "gpu"), "no eligible agent: pool gpu is dedicated to another tenant"),
        (.noAgentInPool("gpu"), "no eligible agent: no live agent serves pool gpu"),
        (.noAgentMatches(pool: "gpu", selector: "os=linux,gpu"), "no eligible agent: no agent in pool gpu matches 'os=linux,gpu'"),
        (.agentsDraining(pool: "gpu"), "no eligible agent: the matching agents of pool gpu are draining"),
        (.agentsBusy(pool: "gpu"), "capacity: every matching agent of pool gpu is busy"),
    ])
    func reasonReadsAsTheTenantSeesIt(reason: WaitReason, text: String) {
        #expect(reason.description == text)
    }

    @Test(arguments: [(1_000_000, "1000000"), (1, "1"), (0.5, "0.50"), (1.0 / 3, "0.33"), (2.999, "3.00")] as [(Double, String)])
    func ratesPrintAsWholeNumbersOrTwoDecimals(rate: Double, text: String) {
        #expect(WaitReason.globalRate(rate, why: nil).description == "throttle: platform dispatch ceiling (\(text)/s)")
    }

    /// Every reason also ends up in the outlook of a tenant that dispatched nothing.
    @Test func outlookShowsTheFirstTasksReasonWhenNothingWent() throws {
        let selector = try LabelSelector(parsing: "gpu")
        let queued = [task("a", "t0", selector: selector), task("a", "t1", pool: "nowhere")]
        let plan = plan(queued, agents: [agent("x")])
        #expect(plan.dispatches.isEmpty)
        #expect(plan.reason(queued[1]) == .noAgentInPool("nowhere"))
        #expect(plan.outlook["a"]?.reason == "no eligible agent: no agent in pool p matches 'gpu'")
        #expect(plan.outlook["a"]?.nextDispatchAt == nil)
    }

    @Test func taskKeyIsRunAndTaskID() {
        let queued = task("a", "extract")
        #expect(DispatchPlan.key(queued) == "\(queued.runID.uuidString.lowercased())/extract")
    }
}
