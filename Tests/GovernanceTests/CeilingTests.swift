import Contracts
import Governance
import Testing

/// Platform and pool ceilings (`Throttle`): they hold every tenant alike.
@Suite struct CeilingTests {
    @Test func globalRunningCeilingHoldsEveryTenant() throws {
        let queued = tasks("a", 2) + tasks("b", 2)
        let plan = plan(queued, running: running([("c", "p", nil, 9)]), settings: settings { $0.global = Throttle(maxRunning: 10) })
        #expect(plan.order == ["a0"])
        for waiting in queued.dropFirst() { #expect(plan.reason(waiting) == .globalRunning(10, why: nil)) }
        #expect(plan.outlook["b"]?.reason == "throttle: platform at its running ceiling (10)")
        #expect(plan.outlook["a"]?.reason == nil, "a dispatched this pass")
        #expect(plan.globalAdjustment == nil)
    }

    @Test func globalRateCeilingWithBurst() throws {
        var cluster = Cluster(tasks("a", 20) + tasks("b", 20), agents: [agent("x")],
                              settings: settings { $0.global = Throttle(rate: 2, burst: 4) })
        let first = cluster.pass()
        #expect(first.order == ["a0", "b0", "a1", "b1"])
        let waiting = try #require(cluster.queues["a"]?.first)
        #expect(first.reason(waiting) == .globalRate(2, why: nil))
        #expect(first.outlook["a"]?.reason == nil)
        #expect(first.buckets[BucketScope.global] == TokenBucket(tokens: 0, at: noon))
        cluster.now += 1.5
        let second = cluster.pass()
        #expect(second.dispatches.count == 3)
        #expect(second.outlook["a"]?.reason == nil && second.outlook["b"]?.reason == nil)
        cluster.now += 0.2
        let third = cluster.pass()
        #expect(third.dispatches.isEmpty)
        #expect(third.outlook["a"]?.reason == "throttle: platform dispatch ceiling (2/s)")
        // 0.4 tokens after 0.2 s: the next one is 0.3 s away.
        let next = try #require(third.outlook["a"]?.nextDispatchAt)
        #expect(abs(next - (cluster.now + 0.3)) < 1e-5)
    }

    @Test func poolRunningCeilingHoldsOnlyThatPool() {
        let queued = tasks("a", 2, prefix: "p") + tasks("b", 2, prefix: "q", pool: "q")
        let plan = plan(queued, agents: [agent("x", pools: ["p", "q"])], running: running([("c", "p", nil, 2)]),
                        settings: settings { $0.pools["p"] = Throttle(maxRunning: 3) })
        #expect(plan.order.sorted() == ["p0", "q0", "q1"])
        #expect(plan.reason(queued[1]) == .poolRunning("p", 3, why: nil))
        #expect(WaitReason.poolRunning("p", 3, why: nil).description == "throttle: pool p at its running ceiling (3)")
    }

    @Test func poolRateCeilingCountsEveryTenantsDispatches() {
        let queued = tasks("a", 3) + tasks("b", 3)
        let plan = plan(queued, settings: settings { $0.pools["p"] = Throttle(rate: 0.5, burst: 3) })
        #expect(plan.order == ["a0", "b0", "a1"])
        #expect(plan.reason(queued[2]) == .poolRate("p", 0.5, why: nil))
        #expect(plan.reason(queued[4]) == .poolRate("p", 0.5, why: nil))
        #expect(plan.buckets[BucketScope.pool("p")] == TokenBucket(tokens: 0, at: noon))
        #expect(WaitReason.poolRate("p", 0.5, why: nil).description == "throttle: pool p dispatch ceiling (0.50/s)")
    }

    @Test func poolBucketIsDrawnOnlyByItsOwnPool() {
        let queued = tasks("a", 2, prefix: "q", pool: "q")
        let plan = plan(queued, agents: [agent("x", pools: ["p", "q"])], buckets: [BucketScope.pool("p"): TokenBucket(tokens: 1, at: noon)],
                        settings: settings { $0.pools["p"] = Throttle(rate: 1) })
        #expect(plan.dispatches.count == 2)
        #expect(plan.buckets[BucketScope.pool("p")] == TokenBucket(tokens: 1, at: noon))
    }

    @Test func everyDispatchDrawsFromEveryBucketItPasses() {
        let scope = QuotaScope(tenant: "a"), poolScope = QuotaScope(tenant: "a", pool: "p")
        let plan = plan(tasks("a", 2), settings: settings {
            $0.global = Throttle(rate: 10)
            $0.pools["p"] = Throttle(rate: 10)
            $0.quotas[scope] = Quota(rate: 10)
            $0.quotas[poolScope] = Quota(rate: 10)
        })
        #expect(plan.dispatches.count == 2)
        for name in [BucketScope.global, BucketScope.pool("p"), BucketScope.quota(scope), BucketScope.quota(poolScope)] {
            #expect(plan.buckets[name] == TokenBucket(tokens: 8, at: noon), "\(name)")
        }
    }

    @Test func lowestOfBaseAndOpenWindowsApplies() {
        let always = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"]
        let throttle = Throttle(rate: 100, maxRunning: 50, peakWindows: [
            PeakWindow(days: always, from: "00:00", to: "00:00", timezone: "UTC", rate: 20),
            PeakWindow(days: always, from: "00:00", to: "00:00", timezone: "UTC", rate: 40, maxRunning: 10),
            PeakWindow(days: ["sat"], from: "00:00", to: "00:00", timezone: "UTC", rate: 1, maxRunning: 1),
        ])
        let ceilings = throttle.ceilings(at: noon)
        #expect(ceilings.rate == 20 && ceilings.maxRunning == 10 && ceilings.peak)
        let unset = Throttle(peakWindows: [PeakWindow(days: always, from: "00:00", to: "00:00", timezone: "UTC", maxRunning: 5)])
        let only = unset.ceilings(at: noon)
        #expect(only.rate == nil && only.maxRunning == 5 && only.peak)
        let quiet = Throttle(rate: 100).ceilings(at: noon)
        #expect(quiet.rate == 100 && quiet.maxRunning == nil && !quiet.peak)
    }

    @Test(arguments: [
        (Throttle(rate: 0), "rate must be above 0 and at most 1000000 per second"),
        (Throttle(burst: 0), "burst must be 1 to 1000000"),
        (Throttle(maxRunning: -1), "maxRunning must be 0 or more"),
        (Throttle(rampUpSeconds: -1), "rampUpSeconds must be 0 to 3600"),
        (Throttle(rampUpSeconds: 3_601), "rampUpSeconds must be 0 to 3600"),
        (Throttle(rampStartRate: 0), "rampStartRate must be above 0"),
        (Throttle(slowDownLoad: 0), "slowDownLoad must be above 0"),
        (Throttle(slowDownRate: -2), "slowDownRate must be above 0"),
        (Throttle(peakWindows: Array(repeating: PeakWindow(days: ["mon"], from: "08:00", to: "09:00", timezone: "UTC", rate: 1), count: 51)),
         "at most 50 peak windows"),
        (Throttle(peakWindows: [PeakWindow(days: ["mon"], from: "08:00", to: "09:00", timezone: "UTC")]),
         "peak window 'mon 08:00-09:00 UTC': sets neither a rate nor maxRunning"),
    ])
    func throttleNamesItsFirstProblem(throttle: Throttle, problem: String) {
        #expect(throttle.problem == problem)
    }

    @Test func validThrottlesHaveNoProblem() {
        #expect(Throttle.none.problem == nil)
        #expect(Throttle(rate: 500, burst: 50, maxRunning: 0, rampUpSeconds: 0, rampStartRate: 1, slowDownLoad: 2, slowDownRate: 10).problem == nil)
    }
}
