import Contracts
import Governance
import Testing

/// Issue 5: a tenant that floods 100,000 tasks must not hold back another tenant's task beyond its
/// fair share.
///
/// The simulated dispatcher keeps the whole flood queued but hands the planner each queue's head
/// (1,000 tasks), as `DispatchSnapshot.queues` expects: once the agents are full, a pass records a
/// wait reason for every task it was given, so its cost grows with the snapshot, not with the work.
@Suite struct FloodTests {
    /// 100,000 tasks of tenant `a`, built by copying one task and renaming it.
    static func flood(_ count: Int = 100_000) -> [QueuedTask] {
        let template = task("a", "")
        var flood: [QueuedTask] = []
        flood.reserveCapacity(count)
        for index in 0..<count {
            var copy = template
            copy.taskID = "a\(index)"
            flood.append(copy)
        }
        return flood
    }

    /// Two agents with four slots each; the flood fills all eight before `b`'s ten tasks arrive.
    /// Then, before every pass, the two oldest running tasks finish.
    static func floodedCluster(weights: [String: Int] = [:]) -> Cluster {
        var cluster = Cluster(flood(), agents: [agent("x", slots: 4), agent("y", slots: 4)], settings: settings { $0.weights = weights })
        cluster.headSize = 1_000
        return cluster
    }

    /// Runs passes until `b`'s queue is empty, returning each pass's dispatches.
    static func passesUntilBIsServed(_ cluster: inout Cluster) -> [[String]] {
        let first = cluster.pass()
        #expect(first.order == (0..<8).map { "a\($0)" })
        cluster.queues["b"] = tasks("b", 10)
        var perPass: [[String]] = []
        while cluster.queues["b"]?.isEmpty == false, perPass.count < 20 {
            cluster.finish(2)
            perPass.append(cluster.pass().order)
            let counts = cluster.running.byTenant
            #expect(counts["a", default: 0] + counts["b", default: 0] == 8, "a slot stayed idle in pass \(perPass.count)")
        }
        return perPass
    }

    /// Each freed slot goes to the tenant with fewer running: `b` takes both free slots until it
    /// runs as many as `a`, then they take turns as their own tasks end.
    @Test func floodingTenantDoesNotHoldBackAnotherBeyondItsShare() {
        var cluster = Self.floodedCluster()
        let perPass = Self.passesUntilBIsServed(&cluster)
        #expect(perPass == [
            ["b0", "b1"],   // a 6, b 0: both free slots to b
            ["b2", "b3"],   // a 4, b 2
            ["a8", "a9"],   // a 2, b 4: a's turn
            ["a10", "a11"], // a6, a7 ended: a 2, b 4
            ["b4", "b5"],   // b0, b1 ended: b 2, a 4
            ["b6", "b7"],   // b2, b3 ended
            ["a12", "a13"], // a8, a9 ended
            ["a14", "a15"], // a10, a11 ended
            ["b8", "b9"],   // b4, b5 ended: b's last two
        ])
        #expect(cluster.queues["a"]?.count == 100_000 - 16)
    }

    /// Weight 3 against 1: `b` keeps taking slots until it runs three times as many as `a`.
    @Test func weightedTenantTakesThreeQuartersOfTheSlotsAgainstAFlood() {
        var cluster = Self.floodedCluster(weights: ["b": 3])
        let perPass = Self.passesUntilBIsServed(&cluster)
        #expect(perPass == [
            ["b0", "b1"],   // a 6, b 0
            ["b2", "b3"],   // a 4, b 2
            ["b4", "b5"],   // a 2, b 4 (4/3 < 2)
            ["a8", "a9"],   // a 0, b 6 (6/3 = 2)
            ["b6", "b7"],   // b0, b1 ended: b 4, a 2
            ["b8", "b9"],   // b2, b3 ended
        ])
        #expect(cluster.running.byTenant == ["a": 2, "b": 6])
    }

    /// Handed the whole flood, a pass that ends at `maxDispatches` touches only what it dispatches:
    /// `b` first (it runs nothing), then the flood's head, and no wait is recorded for the rest.
    @Test func passOverTheWholeFloodServesTheSmallTenantFirst() {
        var cluster = Cluster(Self.flood() + tasks("b", 3), agents: [agent("x", slots: 1_000)])
        cluster.background = running([("a", "p", nil, 8)])
        cluster.maxDispatches = 5
        let plan = cluster.pass()
        #expect(plan.order == ["b0", "b1", "b2", "a0", "a1"])
        #expect(plan.waits.isEmpty)
        #expect(cluster.queues["a"]?.count == 100_000 - 2)
    }

    /// With both queues waiting on a full cluster, `b`'s tasks get a visible reason, not silence.
    @Test func waitingTenantSeesWhyWhileTheFloodRuns() throws {
        var cluster = Cluster(Self.flood() + tasks("b", 3), agents: [agent("x", slots: 2)])
        cluster.headSize = 1_000
        cluster.leases = [.init(task: task("a", "old0"), agent: "x"), .init(task: task("a", "old1"), agent: "x")]
        let plan = cluster.pass()
        #expect(plan.dispatches.isEmpty)
        let firstB = try #require(cluster.queues["b"]?.first)
        #expect(plan.reason(firstB) == .agentsBusy(pool: "p"))
        #expect(plan.outlook["b"]?.reason == "capacity: every matching agent of pool p is busy")
        #expect(plan.outlook["a"]?.reason == "capacity: every matching agent of pool p is busy")
    }
}
