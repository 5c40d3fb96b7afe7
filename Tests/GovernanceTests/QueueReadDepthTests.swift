import Governance
import Testing

/// The next pass reads as deep as it could dispatch (free slots of the agents serving the queued
/// pools, after this pass's dispatches, at most the pass's cap) plus the look-ahead, at most the limit.
@Suite struct QueueReadDepthTests {
    static let depth = QueueReadDepth(limit: 200, lookAhead: 32)

    static func next(_ queued: [QueuedTask], agents: [AgentState], maxDispatches: Int = 1_000) -> Int {
        let snapshot = DispatchSnapshot(now: noon, queues: queues(queued), agents: agents, maxDispatches: maxDispatches)
        return depth.next(after: snapshot, DispatchPlanner.plan(snapshot))
    }

    @Test func theFirstPassReadsToTheLimit() {
        #expect(Self.depth.initial == 200)
    }

    @Test func fullAgentsLeaveOnlyTheLookAhead() {
        #expect(Self.next(tasks("a", 50), agents: [agent("x", slots: 32, running: 32), agent("y", slots: 32, running: 32)]) == 32)
    }

    @Test func freeSlotsLeftAfterThePassAddToTheLookAhead() {
        // 10 free on x; the pass dispatches 4 (all that is queued), so 6 stay free.
        #expect(Self.next(tasks("a", 4), agents: [agent("x", slots: 32, running: 22)]) == 32 + 6)
        // 20 queued fill the 10 free slots: none left.
        #expect(Self.next(tasks("a", 20), agents: [agent("x", slots: 32, running: 22)]) == 32)
    }

    @Test func onlyAgentsServingAQueuedPoolCount() {
        // The idle agents of pool q (simulated agents, say) cannot take pool p's tasks.
        let agents = [agent("x", slots: 32, running: 32), agent("idle", pools: ["q"], slots: 2_000)]
        #expect(Self.next(tasks("a", 50), agents: agents) == 32)
        // Once q has work queued too, its free slots count.
        #expect(Self.next(tasks("a", 50) + tasks("b", 1, pool: "q"), agents: agents) == 200)
    }

    @Test func drainingAgentsDoNotCount() {
        #expect(Self.next(tasks("a", 5), agents: [agent("x", slots: 32, running: 32), agent("d", slots: 100, draining: true)]) == 32)
    }

    @Test func thePassCapAndTheLimitBound() {
        #expect(Self.next(tasks("a", 1), agents: [agent("x", slots: 4_000)], maxDispatches: 50) == 50 + 32)
        #expect(Self.next(tasks("a", 1), agents: [agent("x", slots: 4_000)]) == 200)
        #expect(QueueReadDepth(limit: 10, lookAhead: 32).initial == 10)
    }
}
