import Contracts
import Governance
import Testing

/// Random snapshots from a seeded generator; every plan must keep every limit, account for every
/// task, and come out the same for the same input.
@Suite struct PlannerPropertyTests {
    @Test(arguments: [0x5EED_0001, 0xFA12_5A4E, 0x0DD_BA11, 0xC0FF_EE00] as [UInt64])
    func plansKeepEveryLimitAndAccountForEveryTask(seed: UInt64) throws {
        var random = SeededRandom(seed: seed)
        var seen = Coverage()
        for number in 0..<300 {
            let snapshot = try RandomSnapshot.make(using: &random)
            let plan = DispatchPlanner.plan(snapshot)
            let context = "seed \(seed), snapshot #\(number)"
            PlanChecker(snapshot: snapshot, plan: plan, context: context).check()
            #expect(PlanChecker.same(plan, DispatchPlanner.plan(snapshot)), "\(context): planning twice differs")
            #expect(PlanChecker.same(plan, DispatchPlanner.plan(RandomSnapshot.reordered(snapshot))),
                    "\(context): the order of agents or of the queue dictionary changed the plan")
            seen.note(plan, maxDispatches: snapshot.maxDispatches)
        }
        // The generator reaches every kind of outcome, or the checks above prove little.
        #expect(seen.dispatches > 300, "seed \(seed)")
        #expect(seen.truncated > 30, "seed \(seed): only \(seen.truncated) passes ended at maxDispatches")
        for kind in Coverage.kinds { #expect(seen.reasons[kind, default: 0] > 0, "seed \(seed): no task waited for \(kind)") }
    }
}

/// What the random plans exercised, so a weak generator shows up as a failure.
struct Coverage {
    static let kinds = ["quotaRunning", "quotaRate", "quotaDaily", "globalRunning", "globalRate", "poolRunning", "poolRate",
                        "concurrency", "dedicated", "noAgentInPool", "noAgentMatches", "agentsDraining", "agentsBusy"]
    var dispatches = 0
    var truncated = 0
    var reasons: [String: Int] = [:]

    mutating func note(_ plan: DispatchPlan, maxDispatches: Int) {
        dispatches += plan.dispatches.count
        if plan.dispatches.count == maxDispatches { truncated += 1 }
        for reason in plan.waits.values {
            reasons[Mirror(reflecting: reason).children.first?.label ?? "\(reason)", default: 0] += 1
        }
    }
}
