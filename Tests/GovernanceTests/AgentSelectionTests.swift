import Contracts
import Governance
import Testing

/// The least-loaded eligible agent: serves the pool, matches the selector, is not draining and has
/// a free slot; then lowest share of slots in use, lowest load, lowest id.
@Suite struct AgentSelectionTests {
    static func chosen(_ agents: [AgentState], for task: QueuedTask = task("a", "t")) -> String? {
        plan([task], agents: agents).agent(of: task.taskID)
    }

    @Test func lowestShareOfSlotsInUseWins() {
        // 5 of 10 busy is fuller than 1 of 4, though it has more free slots.
        #expect(Self.chosen([agent("big", slots: 10, running: 5), agent("small", slots: 4, running: 1)]) == "small")
    }

    @Test func equalShareGoesToTheLowerLoad() {
        #expect(Self.chosen([agent("x", slots: 4, running: 2, load: 0.7), agent("y", slots: 8, running: 4, load: 0.3)]) == "y")
        // An agent that reports no load counts as unloaded.
        #expect(Self.chosen([agent("x", slots: 4, running: 2, load: 0.1), agent("y", slots: 4, running: 2)]) == "y")
    }

    @Test func fullTieGoesToTheLowerIdWhateverTheOrder() {
        let agents = [agent("c"), agent("a"), agent("b")]
        #expect(Self.chosen(agents) == "a")
        #expect(Self.chosen(agents.reversed()) == "a")
    }

    @Test func dispatchesOfOnePassSpreadOverTheAgents() {
        let plan = plan(tasks("a", 6), agents: [agent("x", slots: 2), agent("y", slots: 4)])
        // Shares: x 0/2, y 0/4 → x (tie, id); then y 0/4; y 1/4; x 1/2 vs y 2/4 tie → x; then y 2/4, y 3/4.
        #expect(plan.dispatches.map(\.agentID) == ["x", "y", "y", "x", "y", "y"])
    }

    @Test func fullAgentsAreNeverOverfilled() {
        let queued = tasks("a", 10)
        let plan = plan(queued, agents: [agent("x", slots: 2, running: 1), agent("y", slots: 3, running: 3), agent("z", slots: 0)])
        #expect(plan.dispatches.map(\.agentID) == ["x"])
        #expect(plan.reason(queued[1]) == .agentsBusy(pool: "p"))
        #expect(WaitReason.agentsBusy(pool: "p").description == "capacity: every matching agent of pool p is busy")
    }

    @Test func decisionCarriesTheAgentsSession() throws {
        let decision = try #require(plan(tasks("a", 1), agents: [agent("x")]).dispatches.first)
        #expect(decision.agentID == "x" && decision.agentSession == "x-session")
        #expect(decision.task == task("a", "a0"))
    }

    // MARK: - Eligibility

    @Test func selectorPicksAmongTheAgentsOfThePool() throws {
        let agents = [agent("lin", labels: ["os": "linux"]), agent("win", labels: ["os": "windows", "gpu": "a100"]),
                      agent("other", pools: ["q"], labels: ["os": "windows"])]
        let windows = try LabelSelector(parsing: "os=windows")
        #expect(Self.chosen(agents, for: task("a", "t", selector: windows)) == "win")
        let noGPU = try LabelSelector(parsing: "!gpu")
        #expect(Self.chosen(agents, for: task("a", "t", selector: noGPU)) == "lin")
        #expect(Self.chosen(agents, for: task("a", "t", pool: "q", selector: windows)) == "other")
    }

    @Test func drainingAgentGetsNothing() {
        #expect(Self.chosen([agent("busy", slots: 10, running: 9), agent("leaving", draining: true)]) == "busy")
    }

    @Test func noAgentServesThePool() {
        let queued = task("a", "t", pool: "gpu")
        let plan = plan([queued], agents: [agent("x", pools: ["p"])])
        #expect(plan.reason(queued) == .noAgentInPool("gpu"))
        #expect(plan.outlook["a"]?.reason == "no eligible agent: no live agent serves pool gpu")
        #expect(GovernanceTests.plan([queued], agents: []).reason(queued) == .noAgentInPool("gpu"))
    }

    @Test func noAgentMatchesTheSelector() throws {
        let selector = try LabelSelector(parsing: " os=plan9, arch in (mips) ")
        let queued = task("a", "t", selector: selector)
        let plan = plan([queued], agents: [agent("x", labels: ["os": "linux"]), agent("y", pools: ["q"], labels: ["os": "plan9", "arch": "mips"])])
        #expect(plan.reason(queued) == .noAgentMatches(pool: "p", selector: "os=plan9, arch in (mips)"))
        #expect(plan.outlook["a"]?.reason == "no eligible agent: no agent in pool p matches 'os=plan9, arch in (mips)'")
    }

    @Test func onlyDrainingAgentsMatch() throws {
        let queued = task("a", "t", selector: try LabelSelector(parsing: "zone=b"))
        let plan = plan([queued], agents: [agent("x", labels: ["zone": "b"], draining: true), agent("y", labels: ["zone": "a"])])
        #expect(plan.reason(queued) == .agentsDraining(pool: "p"))
        #expect(plan.outlook["a"]?.reason == "no eligible agent: the matching agents of pool p are draining")
    }

    @Test func busyWinsOverDrainingWhenSomeMatchingAgentIsOpen() {
        let queued = task("a", "t")
        let plan = plan([queued], agents: [agent("x", draining: true), agent("y", slots: 1, running: 1)])
        #expect(plan.reason(queued) == .agentsBusy(pool: "p"))
    }

    @Test func agentsFillUpWithinOnePass() {
        let queued = tasks("a", 4)
        let plan = plan(queued, agents: [agent("x", slots: 1), agent("y", slots: 2)])
        #expect(plan.dispatches.count == 3)
        #expect(plan.reason(queued[3]) == .agentsBusy(pool: "p"))
    }
}
