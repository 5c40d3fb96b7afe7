import Contracts
import Foundation
import Governance
import Testing

/// Concurrency keys (`db:ledger = 3`) hold across workflows and tenants; dedicated pools serve
/// one tenant only.
@Suite struct ConcurrencyKeyTests {
    @Test func keyLimitHoldsAcrossTenants() {
        let queued = [task("a", "a0", key: "db:ledger", limit: 3), task("b", "b0", key: "db:ledger", limit: 3),
                      task("a", "a1", key: "db:ledger", limit: 3)]
        let plan = plan(queued, running: running([("c", "p", "db:ledger", 2)]))
        #expect(plan.order == ["a0"])
        #expect(plan.reason(queued[1]) == .concurrency("db:ledger", 3))
        #expect(plan.reason(queued[2]) == .concurrency("db:ledger", 3))
        #expect(plan.outlook["b"]?.reason == "concurrency: db:ledger has 3 running (its limit)")
    }

    @Test func keyLimitHoldsAcrossWorkflowsOfOneTenant() {
        var other = task("a", "load")
        other.runID = UUID(uuid: (9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9))
        other.concurrency = ConcurrencyLimit(key: "db:ledger", limit: 1)
        let queued = [task("a", "load", key: "db:ledger"), other]
        let plan = plan(queued)
        #expect(plan.dispatches.count == 1)
        #expect(plan.reason(other) == .concurrency("db:ledger", 1))
    }

    @Test func keysAreIndependentAndTasksWithoutAKeyAreFree() {
        let queued = [task("a", "l0", key: "db:ledger"), task("a", "l1", key: "db:ledger"), task("a", "h0", key: "db:hr"),
                      task("a", "free")]
        let plan = plan(queued)
        #expect(plan.order == ["l0", "h0", "free"])
        #expect(plan.reason(queued[1]) == .concurrency("db:ledger", 1))
    }

    @Test func keyFreesAsItsTasksEnd() {
        let queued = (0..<4).map { task($0 % 2 == 0 ? "a" : "b", "t\($0)", key: "k", limit: 2) }
        var cluster = Cluster(queued, agents: [agent("x")])
        #expect(cluster.pass().order == ["t0", "t1"])
        #expect(cluster.pass().order == [])
        cluster.finish(1)
        #expect(cluster.pass().order == ["t2"])
        cluster.finish(2)
        #expect(cluster.pass().order == ["t3"])
    }

    @Test func limitZeroNeverDispatches() {
        let plan = plan([task("a", "x", key: "frozen", limit: 0)])
        #expect(plan.reason(task("a", "x", key: "frozen", limit: 0)) == .concurrency("frozen", 0))
    }
}

@Suite struct DedicatedPoolTests {
    @Test func dedicatedPoolServesOnlyItsTenant() {
        let queued = [task("a", "a0", pool: "gold"), task("b", "b0", pool: "gold"), task("b", "b1", pool: "shared")]
        let plan = plan(queued, agents: [agent("x", pools: ["gold", "shared"])], settings: settings { $0.dedicated["gold"] = "a" })
        #expect(plan.order.sorted() == ["a0", "b1"])
        #expect(plan.reason(queued[1]) == .dedicated(pool: "gold"))
        #expect(WaitReason.dedicated(pool: "gold").description == "no eligible agent: pool gold is dedicated to another tenant")
    }

    @Test func dedicatedPoolIsNotRestrictedByOtherTenantsWork() {
        // b floods the shared pool; a's dedicated pool still has its own agents.
        let queued = tasks("b", 50, pool: "shared") + tasks("a", 3, pool: "gold")
        let plan = plan(queued, agents: [agent("x", pools: ["shared"], slots: 2), agent("y", pools: ["gold"], slots: 3)],
                        settings: settings { $0.dedicated["gold"] = "a" })
        #expect(plan.dispatches.filter { $0.task.tenant == "a" }.map(\.agentID) == ["y", "y", "y"])
        #expect(plan.dispatches.filter { $0.task.tenant == "b" }.count == 2)
    }

    @Test func dedicationIsCheckedBeforeAgents() {
        let plan = plan([task("b", "b0", pool: "gold")], agents: [], settings: settings { $0.dedicated["gold"] = "a" })
        #expect(plan.reason(task("b", "b0", pool: "gold")) == .dedicated(pool: "gold"))
    }
}
