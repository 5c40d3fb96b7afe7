import Contracts
import Governance
import Testing

/// `Quota.dailyMax`: reaching it holds work until the next UTC midnight and raises an alert.
@Suite struct QuotaDailyTests {
    static let tenant = QuotaScope(tenant: "a")
    /// 2024-06-06 00:00:00 UTC, the midnight after `noon`.
    static let midnight = noon + 12 * hour

    @Test func reachingTheDailyQuotaHoldsWorkAndRaisesTheAlert() throws {
        let queued = tasks("a", 5)
        let plan = plan(queued, daily: [Self.tenant: 1], settings: settings { $0.quotas[Self.tenant] = Quota(dailyMax: 3) })
        #expect(plan.order == ["a0", "a1"])
        #expect(plan.dailyReached == [Self.tenant])
        for waiting in queued.dropFirst(2) { #expect(plan.reason(waiting) == .quotaDaily(Self.tenant, 3)) }
        let outlook = try #require(plan.outlook["a"])
        #expect(outlook.reason == "quota: a reached its daily quota (3); resumes 00:00 UTC")
        #expect(outlook.nextDispatchAt == Self.midnight)
    }

    @Test func noAlertWhenTheLastQueuedTaskUsesUpTheQuota() {
        let plan = plan(tasks("a", 2), daily: [Self.tenant: 1], settings: settings { $0.quotas[Self.tenant] = Quota(dailyMax: 3) })
        #expect(plan.order == ["a0", "a1"])
        #expect(plan.dailyReached.isEmpty, "nothing is held back, so nothing to alert about")
    }

    @Test func dailyCountsAccumulateOverPasses() {
        var cluster = Cluster(tasks("a", 10), agents: [agent("x")], settings: settings { $0.quotas[Self.tenant] = Quota(dailyMax: 4) })
        cluster.maxDispatches = 3
        #expect(cluster.pass().order == ["a0", "a1", "a2"])
        let second = cluster.pass()
        #expect(second.order == ["a3"])
        #expect(second.dailyReached == [Self.tenant])
        #expect(cluster.daily[Self.tenant] == 4)
        cluster.now += 3 * hour
        #expect(cluster.pass().dispatches.isEmpty, "the count is the dispatcher's to reset at midnight, time alone does not")
        // The dispatcher starts a new day's count.
        cluster.daily = [:]
        cluster.now = Self.midnight
        #expect(cluster.pass().order == ["a4", "a5", "a6"])
    }

    @Test func poolDailyQuotaHoldsOnlyThatPool() {
        let scope = QuotaScope(tenant: "a", pool: "p")
        let queued = tasks("a", 3, prefix: "p") + tasks("a", 2, prefix: "q", pool: "q")
        let plan = plan(queued, agents: [agent("x", pools: ["p", "q"])], daily: [scope: 0],
                        settings: settings { $0.quotas[scope] = Quota(dailyMax: 1) })
        #expect(plan.order == ["p0", "q0", "q1"])
        #expect(plan.reason(queued[1]) == .quotaDaily(scope, 1))
        #expect(plan.dailyReached == [scope])
        #expect(WaitReason.quotaDaily(scope, 1).description == "quota: a in pool p reached its daily quota (1); resumes 00:00 UTC")
    }

    @Test func dailyMaxZeroHoldsFromTheStart() {
        let plan = plan(tasks("a", 1), settings: settings { $0.quotas[Self.tenant] = Quota(dailyMax: 0) })
        #expect(plan.dispatches.isEmpty)
        #expect(plan.dailyReached == [Self.tenant])
    }

    @Test func dailyQuotaWinsOverOtherLimitsInTheReason() {
        let plan = plan(tasks("a", 1), running: running([("a", "p", nil, 9)]), daily: [Self.tenant: 5],
                        settings: settings { $0.quotas[Self.tenant] = Quota(maxRunning: 1, rate: 1, dailyMax: 5) })
        #expect(plan.reason(task("a", "a0")) == .quotaDaily(Self.tenant, 5))
    }

    @Test(arguments: [
        (1_717_588_800, 1_717_632_000),      // Wed 12:00 → Thu 00:00
        (1_717_631_999, 1_717_632_000),      // Wed 23:59:59
        (1_717_545_600, 1_717_632_000),      // at Wed 00:00 itself the next midnight is a day away
        (1_717_545_600.001, 1_717_632_000),
    ] as [(Double, Double)])
    func resumesAtTheNextUTCMidnight(now: Double, resumes: Double) {
        let plan = plan(tasks("a", 1), settings: settings { $0.quotas[Self.tenant] = Quota(dailyMax: 0) }, now: now)
        #expect(plan.outlook["a"]?.nextDispatchAt == resumes)
    }
}
