import Contracts
import Governance
import Testing

/// `Quota.maxRunning`, tenant-wide and per (tenant, pool): work over it waits, never dropped.
@Suite struct QuotaRunningTests {
    @Test func quotaHoldsTheWholeTenantWhenAtMaxRunning() throws {
        let queued = tasks("a", 3) + tasks("b", 2)
        let plan = plan(queued, running: running([("a", "p", nil, 1)]),
                        settings: settings { $0.quotas[QuotaScope(tenant: "a")] = Quota(maxRunning: 2) })
        #expect(plan.order.sorted() == ["a0", "b0", "b1"])
        for waiting in queued where waiting.taskID == "a1" || waiting.taskID == "a2" {
            #expect(plan.reason(waiting) == .quotaRunning(QuotaScope(tenant: "a"), 2))
        }
        let outlook = try #require(plan.outlook["a"])
        #expect(outlook.reason == "quota: a is at its max running (2)")
        #expect(outlook.nextDispatchAt == nil, "a running limit lifts when tasks end, not at a known time")
        #expect(plan.outlook["b"]?.reason == nil)
    }

    @Test func outlookIsClearWhenTheLastQueuedTaskReachesTheQuota() throws {
        let plan = plan(tasks("a", 2), settings: settings { $0.quotas[QuotaScope(tenant: "a")] = Quota(maxRunning: 2) })
        #expect(plan.order == ["a0", "a1"])
        let outlook = try #require(plan.outlook["a"])
        #expect(outlook.reason == nil, "nothing is queued, so nothing waits")
        #expect(outlook.nextDispatchAt == nil)
    }

    @Test func tenantAlreadyOverItsQuotaDispatchesNothing() {
        let queued = tasks("a", 2)
        let plan = plan(queued, running: running([("a", "p", nil, 5)]),
                        settings: settings { $0.quotas[QuotaScope(tenant: "a")] = Quota(maxRunning: 3) })
        #expect(plan.dispatches.isEmpty)
        #expect(queued.allSatisfy { plan.reason($0) == .quotaRunning(QuotaScope(tenant: "a"), 3) })
    }

    @Test func maxRunningZeroHoldsEverything() {
        let queued = tasks("a", 2)
        let plan = plan(queued, settings: settings { $0.quotas[QuotaScope(tenant: "a")] = Quota(maxRunning: 0) })
        #expect(plan.dispatches.isEmpty)
        #expect(queued.allSatisfy { plan.reason($0) == .quotaRunning(QuotaScope(tenant: "a"), 0) })
    }

    @Test func poolQuotaHoldsOnlyThatPool() {
        let scope = QuotaScope(tenant: "a", pool: "p")
        let queued = [task("a", "p0"), task("a", "p1"), task("a", "q0", pool: "q"), task("a", "p2")]
        let plan = plan(queued, agents: [agent("x", pools: ["p", "q"])],
                        settings: settings { $0.quotas[scope] = Quota(maxRunning: 1) })
        #expect(plan.order == ["p0", "q0"])
        #expect(plan.reason(queued[1]) == .quotaRunning(scope, 1))
        #expect(plan.reason(queued[3]) == .quotaRunning(scope, 1))
        #expect(WaitReason.quotaRunning(scope, 1).description == "quota: a in pool p is at its max running (1)")
    }

    @Test func poolQuotaCountsOnlyTheTenantsOwnTasksInThePool() {
        let scope = QuotaScope(tenant: "a", pool: "p")
        // b's tasks in p and a's in q do not count against a's quota in p.
        let counts = running([("b", "p", nil, 10), ("a", "q", nil, 10), ("a", "p", nil, 1)])
        let plan = plan(tasks("a", 3), agents: [agent("x", slots: 100)], running: counts,
                        settings: settings { $0.quotas[scope] = Quota(maxRunning: 3) })
        #expect(plan.order == ["a0", "a1"])
    }

    @Test func tenantAndPoolQuotasBothHold() {
        let queued = [task("a", "p0"), task("a", "p1"), task("a", "q0", pool: "q"), task("a", "q1", pool: "q"), task("a", "q2", pool: "q")]
        let plan = plan(queued, agents: [agent("x", pools: ["p", "q"])], settings: settings {
            $0.quotas[QuotaScope(tenant: "a")] = Quota(maxRunning: 3)
            $0.quotas[QuotaScope(tenant: "a", pool: "p")] = Quota(maxRunning: 1)
        })
        #expect(plan.order == ["p0", "q0", "q1"])
        #expect(plan.reason(queued[1]) == .quotaRunning(QuotaScope(tenant: "a", pool: "p"), 1))
        #expect(plan.reason(queued[4]) == .quotaRunning(QuotaScope(tenant: "a"), 3))
    }

    @Test func runningLimitLiftsAsTasksEnd() {
        var cluster = Cluster(tasks("a", 5), agents: [agent("x")], settings: settings { $0.quotas[QuotaScope(tenant: "a")] = Quota(maxRunning: 2) })
        #expect(cluster.pass().order == ["a0", "a1"])
        #expect(cluster.pass().order == [])
        cluster.finish(1)
        #expect(cluster.pass().order == ["a2"])
        cluster.finish(2)
        #expect(cluster.pass().order == ["a3", "a4"])
        #expect(cluster.queues["a"] == [], "nothing was dropped")
    }

    @Test(arguments: [
        (Quota(maxRunning: -1), "maxRunning must be 0 or more"),
        (Quota(rate: 0), "rate must be above 0 and at most 1000000 per second"),
        (Quota(rate: -1), "rate must be above 0 and at most 1000000 per second"),
        (Quota(rate: 1_000_001), "rate must be above 0 and at most 1000000 per second"),
        (Quota(rate: .nan), "rate must be above 0 and at most 1000000 per second"),
        (Quota(burst: 0), "burst must be 1 to 1000000"),
        (Quota(burst: 1_000_001), "burst must be 1 to 1000000"),
        (Quota(dailyMax: -1), "dailyMax must be 0 or more"),
    ])
    func quotaNamesItsFirstBadField(quota: Quota, problem: String) {
        #expect(quota.problem == problem)
    }

    @Test func validQuotasHaveNoProblem() {
        for quota in [Quota.unlimited, Quota(maxRunning: 0, rate: 0.001, burst: 1, dailyMax: 0), Quota(maxRunning: 10, rate: 1_000_000, burst: 1_000_000)] {
            #expect(quota.problem == nil, "\(quota)")
        }
    }

    @Test func scopeReadsAsTenantOrTenantInPool() {
        #expect(QuotaScope(tenant: "acme").description == "acme")
        #expect(QuotaScope(tenant: "acme", pool: "gpu").description == "acme in pool gpu")
    }
}
