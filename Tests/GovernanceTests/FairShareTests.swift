import Contracts
import Governance
import Testing

/// Weighted fair sharing: each step serves the tenant with the fewest running per unit of weight
/// (ties: fewer dispatched this pass, then name).
@Suite struct FairShareTests {
    @Test func equalWeightsTakeTurns() {
        let plan = plan(tasks("b", 3) + tasks("a", 3), agents: [agent("x", slots: 4)])
        #expect(plan.order == ["a0", "b0", "a1", "b1"])
    }

    @Test func weightsOneToThreeSplitContendedSlotsOneToThree() {
        let plan = plan(tasks("a", 100) + tasks("b", 100), agents: [agent("x", slots: 40)], settings: settings { $0.weights["b"] = 3 })
        #expect(plan.order.prefix(8) == ["a0", "b0", "b1", "b2", "a1", "b3", "b4", "b5"])
        #expect(plan.dispatches.count { $0.task.tenant == "a" } == 10)
        #expect(plan.dispatches.count { $0.task.tenant == "b" } == 30)
    }

    @Test func threeTenantsByWeight() {
        let queued = tasks("a", 50) + tasks("b", 50) + tasks("c", 50)
        let plan = plan(queued, agents: [agent("x", slots: 60)], settings: settings { $0.weights = ["a": 1, "b": 2, "c": 3] })
        let counts = Dictionary(grouping: plan.dispatches, by: \.task.tenant).mapValues(\.count)
        #expect(counts == ["a": 10, "b": 20, "c": 30])
    }

    /// Over many passes with tasks ending, dispatches follow the weights too.
    @Test func weightsHoldOverTime() {
        var cluster = Cluster(tasks("a", 2_000) + tasks("b", 2_000), agents: [agent("x", slots: 4), agent("y", slots: 4)],
                              settings: settings { $0.weights["b"] = 3 })
        cluster.headSize = 100
        for _ in 0..<100 {
            cluster.pass()
            #expect(cluster.running.byTenant == ["a": 2, "b": 6])
            cluster.finish(4)
        }
        let a = cluster.history.count { $0.task.tenant == "a" }, b = cluster.history.count { $0.task.tenant == "b" }
        #expect(a + b == 8 + 99 * 4)
        #expect(abs(Double(b) / Double(a) - 3) < 0.1, "a \(a), b \(b)")
    }

    @Test func tenantAlreadyRunningItsShareWaitsForTheOther() {
        let plan = plan(tasks("a", 5) + tasks("b", 5), running: running([("a", "p", nil, 3)]), maxDispatches: 4)
        #expect(plan.order == ["b0", "b1", "b2", "a0"], "b catches up to a's 3 first; at 3 each, b has had more this pass")
    }

    /// What a tenant runs in its own dedicated pool does not count against its share of the
    /// shared pool: a, busy with 5 in its dedicated pool "own", still goes first on equal terms.
    @Test func dedicatedPoolsDoNotCountAgainstTheSharedShare() {
        let busy = running([("a", "own", nil, 5), ("b", "p", nil, 1)])
        let shared = plan(tasks("a", 3) + tasks("b", 3), running: busy, settings: settings { $0.dedicated["own"] = "a" }, maxDispatches: 2)
        #expect(shared.order == ["a0", "b0"], "a goes first: 0 running on shared capacity against b's 1")
        let unowned = plan(tasks("a", 3) + tasks("b", 3), running: busy, maxDispatches: 2)
        #expect(unowned.order == ["b0", "b1"], "when 'own' is a shared pool, a's 5 count")
    }

    @Test func tiesGoToFewerDispatchedThisPassThenToName() {
        // a 2/1 and b 4/2: equal shares; a by name, then b (fewer this pass), then a again.
        let plan = plan(tasks("a", 5) + tasks("b", 5), running: running([("a", "p", nil, 2), ("b", "p", nil, 4)]),
                        settings: settings { $0.weights["b"] = 2 }, maxDispatches: 3)
        #expect(plan.order == ["a0", "b0", "b1"])
    }

    @Test(arguments: [0, -3, 1])
    func weightBelowOneCountsAsOne(weight: Int) {
        let config = settings { $0.weights["a"] = weight }
        #expect(config.weight("a") == 1)
        #expect(config.weight("unnamed") == 1)
        #expect(plan(tasks("a", 2) + tasks("b", 2), settings: config).order == ["a0", "b0", "a1", "b1"])
    }

    @Test func tenantThatCannotRunDoesNotStallTheOthers() {
        let queued = tasks("a", 20, pool: "gpu") + tasks("b", 3)
        let plan = plan(queued, agents: [agent("x", pools: ["p"])])
        #expect(plan.order == ["b0", "b1", "b2"])
        #expect(queued.prefix(20).allSatisfy { plan.reason($0) == .noAgentInPool("gpu") })
    }

    @Test func heldTenantLeavesItsShareToTheOthers() {
        let plan = plan(tasks("a", 5) + tasks("b", 5), agents: [agent("x", slots: 6)],
                        settings: settings { $0.quotas[QuotaScope(tenant: "a")] = Quota(maxRunning: 1) })
        #expect(plan.order == ["a0", "b0", "b1", "b2", "b3", "b4"])
    }
}
