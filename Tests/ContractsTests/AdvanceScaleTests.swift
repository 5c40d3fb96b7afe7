import Contracts
import Testing

/// `Advance` at scale, over the in-memory ledger of `AdvancePropertyTests`: large chains, layered
/// DAGs and wide fans finish, and the work done is proportional to the edges touched — every
/// edge is delivered exactly once, and a task ending delivers only to its own children.
@Suite struct AdvanceScaleTests {
    private static func allSucceed(parents: [[Int]], rule: TriggerRule = .allSuccess) -> EngineScenario {
        EngineScenario(parents: parents, rules: Array(repeating: rule, count: parents.count),
                       outcomes: Array(repeating: .succeeded, count: parents.count),
                       conditions: Array(repeating: true, count: parents.count), switches: [:])
    }

    /// Runs `scenario` to the end; with `checkEachStep`, also checks after every completion that the
    /// first delivery names exactly the finished task's children and that everything delivered in
    /// that step comes from tasks that ended in that step (O(tasks) per step: small DAGs only).
    private static func run(_ scenario: EngineScenario, seed: UInt64, checkEachStep: Bool) throws -> MemoryAdvanceLedger {
        var random = EngineTestRandom(seed: seed)
        var ledger = MemoryAdvanceLedger(scenario: scenario)
        try Advance.start(graph: ledger.graph, rules: scenario.rules, ledger: &ledger)
        while !ledger.ready.isEmpty {
            let before = checkEachStep ? ledger.states : []
            let deliveriesBefore = ledger.deliveries.count
            let outcomesBefore = ledger.deliveredOutcomes
            let task = ledger.finish(at: Int.random(in: 0..<ledger.ready.count, using: &random))
            try Advance.propagate([Completion(task: task, outcome: scenario.outcomes[task])], graph: ledger.graph,
                                  rules: scenario.rules, ledger: &ledger)
            let children = ledger.graph.children[task]
            if children.isEmpty {
                #expect(ledger.deliveries.count == deliveriesBefore, "seed \(seed): task \(task) has no children but delivered")
            } else {
                let first = ledger.deliveries.count > deliveriesBefore ? ledger.deliveries[deliveriesBefore] : []
                #expect(first == children.sorted(), "seed \(seed): task \(task) delivered to \(first), its children are \(children)")
            }
            if checkEachStep {
                // Tasks that ended in this step: the finished one and those settled or ended on admission.
                var endedNow = [task]
                for other in before.indices where !before[other].isTerminal && before[other] != .ready && ledger.states[other].isTerminal {
                    endedNow.append(other)
                }
                let expected = endedNow.reduce(0) { $0 + ledger.graph.children[$1].count }
                #expect(ledger.deliveredOutcomes - outcomesBefore == expected,
                        "seed \(seed): step ending \(task) delivered \(ledger.deliveredOutcomes - outcomesBefore) outcomes, the tasks that ended have \(expected) edges")
            }
        }
        return ledger
    }

    @Test func tenThousandTaskChainSucceeds() throws {
        let size = 10_000
        let scenario = Self.allSucceed(parents: (0..<size).map { $0 == 0 ? [] : [$0 - 1] })
        let ledger = try Self.run(scenario, seed: 1, checkEachStep: false)
        #expect(ledger.states.allSatisfy { $0 == .succeeded })
        #expect(ledger.deliveredOutcomes == size - 1)
        #expect(ledger.deliveries.count == size - 1)
        #expect(ledger.violations.isEmpty)
    }

    @Test func tenThousandTaskLayeredDAGSucceeds() throws {
        let seed: UInt64 = 0x1A7E_12ED
        var random = EngineTestRandom(seed: seed)
        let width = 100
        var parents: [[Int]] = []
        for layer in 0..<100 {
            for _ in 0..<width {
                guard layer > 0 else { parents.append([]); continue }
                let previous = (layer - 1) * width..<layer * width
                var chosen = Set<Int>()
                for _ in 0..<Int.random(in: 1...3, using: &random) { chosen.insert(Int.random(in: previous, using: &random)) }
                if layer > 1, Bool.random(using: &random) { chosen.insert(Int.random(in: 0..<(layer - 1) * width, using: &random)) }
                parents.append(chosen.sorted())
            }
        }
        let scenario = Self.allSucceed(parents: parents)
        #expect(scenario.size == 10_000)
        let ledger = try Self.run(scenario, seed: seed, checkEachStep: false)
        #expect(ledger.states.allSatisfy { $0 == .succeeded }, "seed \(seed)")
        #expect(ledger.deliveredOutcomes == scenario.edgeCount, "seed \(seed)")
        #expect(ledger.violations.isEmpty, "seed \(seed): \(ledger.violations.prefix(5))")
    }

    /// root → 1,000 branches → join.
    private static func fan(width: Int) -> [[Int]] {
        [[]] + Array(repeating: [0], count: width) + [Array(1...width)]
    }

    @Test func thousandWideFanOutAndInSucceeds() throws {
        let scenario = Self.allSucceed(parents: Self.fan(width: 1_000))
        let ledger = try Self.run(scenario, seed: 7, checkEachStep: true)
        #expect(ledger.states.allSatisfy { $0 == .succeeded })
        #expect(ledger.deliveredOutcomes == 2_000)
        #expect(ledger.violations.isEmpty)
    }

    @Test func oneFailedBranchDecidesTheJoinsAtOnce() throws {
        let width = 1_000
        let failing = 517
        var scenario = Self.allSucceed(parents: Self.fan(width: width) + [Array(1...width)])
        let joinAll = width + 1
        let joinOne = width + 2
        scenario.rules[joinOne] = .oneFailed
        scenario.outcomes[failing] = .failed

        var ledger = MemoryAdvanceLedger(scenario: scenario)
        try Advance.start(graph: ledger.graph, rules: scenario.rules, ledger: &ledger)
        let root = ledger.finish(at: 0)
        try Advance.propagate([Completion(task: root, outcome: .succeeded)], graph: ledger.graph, rules: scenario.rules, ledger: &ledger)
        #expect(ledger.ready.count == width)

        let position = try #require(ledger.ready.firstIndex(of: failing))
        let failed = ledger.finish(at: position)
        try Advance.propagate([Completion(task: failed, outcome: .failed)], graph: ledger.graph, rules: scenario.rules, ledger: &ledger)
        // Decided with 999 branches still running: no later result could change either verdict.
        #expect(ledger.states[joinAll] == .upstreamFailed)
        #expect(ledger.states[joinOne] == .ready)
        #expect(ledger.ready.count == width)
        #expect(ledger.deliveries.last == [joinAll, joinOne])

        while !ledger.ready.isEmpty {
            let task = ledger.finish(at: 0)
            try Advance.propagate([Completion(task: task, outcome: scenario.outcomes[task])], graph: ledger.graph,
                                  rules: scenario.rules, ledger: &ledger)
        }
        #expect(ledger.states[joinAll] == .upstreamFailed)
        #expect(ledger.states[joinOne] == .succeeded)
        #expect(ledger.states[failing] == .failed)
        #expect(ledger.deliveredOutcomes == scenario.edgeCount)
        #expect(ledger.violations.isEmpty)
    }

    @Test(arguments: [11, 12, 13, 14, 15] as [UInt64]) func randomDAGsDeliverEachEdgeOnce(seed: UInt64) throws {
        var random = EngineTestRandom(seed: seed)
        for _ in 0..<20 {
            let scenario = EngineScenario.random(using: &random)
            let ledger = try Self.run(scenario, seed: seed, checkEachStep: true)
            #expect(ledger.deliveredOutcomes == scenario.edgeCount, "seed \(seed)")
            #expect(ledger.states == scenario.reference(), "seed \(seed)")
        }
    }

    @Test func aSkipSpreadsOnlyThroughTheTasksItReaches() throws {
        // 0 → 1 → 2 → 3, and 0 → 4 (an independent branch); 1's condition is false.
        var scenario = Self.allSucceed(parents: [[], [0], [1], [2], [0]])
        scenario.conditions[1] = false
        var ledger = MemoryAdvanceLedger(scenario: scenario)
        try Advance.start(graph: ledger.graph, rules: scenario.rules, ledger: &ledger)
        let root = ledger.finish(at: 0)
        try Advance.propagate([Completion(task: root, outcome: .succeeded)], graph: ledger.graph, rules: scenario.rules, ledger: &ledger)
        // Round one reaches 0's children; 1 ends on admission, then the skip goes round by round.
        #expect(ledger.deliveries == [[1, 4], [2], [3]])
        #expect(ledger.states == [.succeeded, .skipped, .skipped, .skipped, .ready])
    }
}
