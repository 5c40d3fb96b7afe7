import Contracts
import Testing

/// `Advance` over an in-memory ledger, driven by a seeded random scheduler, against an
/// independent evaluator that walks the DAG in topological order with every parent's final state
/// known. Whatever order tasks finish in, the incremental algorithm must reach the same states.
@Suite struct AdvancePropertyTests {
    @Test(arguments: [0xA11C_E5ED, 0x0BAD_CAFE, 0x1234_5678_9ABC, 0xFEED_FACE] as [UInt64])
    func randomDAGsMatchTheReferenceEvaluator(seed: UInt64) throws {
        var random = EngineTestRandom(seed: seed)
        var seenStates: [String: Int] = [:]
        var unchosenBranches = 0
        for dagNumber in 0..<80 {
            let dagSeed = random.next()
            var dagRandom = EngineTestRandom(seed: dagSeed)
            let scenario = EngineScenario.random(using: &dagRandom)
            let context = "seed \(seed), DAG #\(dagNumber) (scenario seed \(dagSeed)), \(scenario.size) tasks"
            let simulated = try scenario.simulate(using: &dagRandom)
            let expected = scenario.reference()
            #expect(simulated.ledger.violations.isEmpty, "\(context): \(simulated.ledger.violations)")
            #expect(simulated.ledger.ready.isEmpty, "\(context): still ready \(simulated.ledger.ready)")
            for task in 0..<scenario.size {
                #expect(simulated.ledger.states[task].isTerminal, "\(context): task \(task) ends \(simulated.ledger.states[task])")
                #expect(simulated.ledger.states[task] == expected[task],
                        "\(context): task \(task) (\(scenario.rules[task]), parents \(scenario.parents[task])) is \(simulated.ledger.states[task]), reference says \(expected[task])")
            }
            #expect(simulated.ledger.deliveredOutcomes == scenario.edgeCount, "\(context): delivered \(simulated.ledger.deliveredOutcomes) outcomes over \(scenario.edgeCount) edges")
            for state in simulated.ledger.states { seenStates["\(state)", default: 0] += 1 }
            for (task, chosen) in scenario.switches where expected[task] == .succeeded {
                unchosenBranches += Set(simulated.ledger.graph.children[task]).subtracting(chosen).count
            }
        }
        // The generator exercises every ending and switches that leave branches out.
        for state in ["succeeded", "failed", "skipped", "upstream_failed"] {
            #expect(seenStates[state, default: 0] > 10, "seed \(seed): only \(seenStates[state, default: 0]) tasks ended \(state)")
        }
        #expect(unchosenBranches > 0, "seed \(seed): no switch left a branch out")
    }

    /// The same DAG, finished in many different orders, always ends the same way.
    @Test func finishingOrderDoesNotMatter() throws {
        var random = EngineTestRandom(seed: 0x0DDE_0DDE)
        for _ in 0..<20 {
            let seed = random.next()
            var scenarioRandom = EngineTestRandom(seed: seed)
            let scenario = EngineScenario.random(using: &scenarioRandom)
            let expected = scenario.reference()
            for order in 0..<10 {
                var orderRandom = EngineTestRandom(seed: UInt64(order) &* 0x9E37_79B9)
                let simulated = try scenario.simulate(using: &orderRandom)
                #expect(simulated.ledger.states == expected, "scenario seed \(seed), order \(order)")
            }
        }
    }

    /// Several tasks ending in one `propagate` call (their deltas merge per child) end the same.
    @Test(arguments: [2, 5] as [Int]) func batchedCompletionsMatchTheReferenceEvaluator(maxBatch: Int) throws {
        var random = EngineTestRandom(seed: 0xBA7C_0000 + UInt64(maxBatch))
        for dagNumber in 0..<100 {
            let seed = random.next()
            var scenarioRandom = EngineTestRandom(seed: seed)
            let scenario = EngineScenario.random(using: &scenarioRandom)
            let simulated = try scenario.simulate(using: &scenarioRandom, maxBatch: maxBatch)
            let context = "maxBatch \(maxBatch), DAG #\(dagNumber), scenario seed \(seed)"
            #expect(simulated.ledger.states == scenario.reference(), "\(context)")
            #expect(simulated.ledger.violations.isEmpty, "\(context): \(simulated.ledger.violations)")
            #expect(simulated.ledger.deliveredOutcomes == scenario.edgeCount, "\(context)")
        }
    }

    @Test func switchSkipsTheBranchesItDidNotChooseAndAMergeStillRuns() throws {
        // 0 switch → 1 (chosen), 2 (not chosen); 3 noneFailed after 1, 2; 4 allSuccess after 1, 2.
        let scenario = EngineScenario(
            parents: [[], [0], [0], [1, 2], [1, 2]],
            rules: [.allSuccess, .allSuccess, .allSuccess, .noneFailed, .allSuccess],
            outcomes: [.succeeded, .succeeded, .succeeded, .succeeded, .succeeded],
            conditions: [true, true, true, true, true],
            switches: [0: [1]])
        var random = EngineTestRandom(seed: 42)
        let simulated = try scenario.simulate(using: &random)
        #expect(simulated.ledger.states == [.succeeded, .succeeded, .skipped, .succeeded, .skipped])
        #expect(scenario.reference() == simulated.ledger.states)
    }

    @Test func falseConditionSkipsTheTaskAndItsAllSuccessChildren() throws {
        let scenario = EngineScenario(
            parents: [[], [0], [1], [1]],
            rules: [.allSuccess, .allSuccess, .allSuccess, .allDone],
            outcomes: [.succeeded, .succeeded, .succeeded, .failed],
            conditions: [true, false, true, true],
            switches: [:])
        var random = EngineTestRandom(seed: 42)
        let simulated = try scenario.simulate(using: &random)
        #expect(simulated.ledger.states == [.succeeded, .skipped, .skipped, .failed])
    }

    @Test func resumeDecidesTasksWhoseTalliesAreKnownAndFollowsTheVerdicts() throws {
        // 0 → 1 → 2 → 3 with 3 oneFailed: a rerun of 1 after 0 failed again.
        let scenario = EngineScenario(
            parents: [[], [0], [1], [2]], rules: [.allSuccess, .allSuccess, .allSuccess, .oneFailed],
            outcomes: [.failed, .succeeded, .succeeded, .succeeded], conditions: [true, true, true, true], switches: [:])
        var ledger = MemoryAdvanceLedger(scenario: scenario)
        ledger.states[0] = .failed
        ledger.tallies[1] = UpstreamTally(total: 1, failed: 1)
        try Advance.resume([1: ledger.tallies[1]], graph: ledger.graph, rules: scenario.rules, ledger: &ledger)
        #expect(ledger.states == [.failed, .upstreamFailed, .upstreamFailed, .ready])
        #expect(ledger.deliveries == [[2], [3]])

        // A pending task whose tally is still incomplete stays pending.
        var waiting = MemoryAdvanceLedger(scenario: scenario)
        try Advance.resume([2: UpstreamTally(total: 1)], graph: waiting.graph, rules: scenario.rules, ledger: &waiting)
        #expect(waiting.states == [.pending, .pending, .pending, .pending] && waiting.deliveries.isEmpty)
    }

    @Test func alwaysTasksStartWithTheRun() throws {
        var ledger = MemoryAdvanceLedger(scenario: EngineScenario(
            parents: [[], [0], [1]], rules: [.allSuccess, .allSuccess, .always],
            outcomes: [.succeeded, .succeeded, .succeeded], conditions: [true, true, true], switches: [:]))
        try Advance.start(graph: ledger.graph, rules: ledger.scenario.rules, ledger: &ledger)
        #expect(ledger.ready == [0, 2])
        #expect(ledger.states == [.ready, .pending, .ready])
    }
}

// MARK: - The in-memory engine

/// A task's state in the in-memory ledger.
enum MemoryTaskState: Equatable, Sendable, CustomStringConvertible {
    case pending, ready, succeeded, failed, skipped, upstreamFailed

    var isTerminal: Bool { self != .pending && self != .ready }
    var description: String {
        switch self {
        case .pending: "pending"
        case .ready: "ready"
        case .succeeded: "succeeded"
        case .failed: "failed"
        case .skipped: "skipped"
        case .upstreamFailed: "upstream_failed"
        }
    }
}

/// A DAG with everything predetermined: each task's rule, the outcome it ends with when it runs,
/// whether its condition holds, and for switches, the children they choose.
struct EngineScenario {
    var parents: [[Int]]
    var rules: [TriggerRule]
    /// `.succeeded` or `.failed`: how the task ends once it runs.
    var outcomes: [Outcome]
    var conditions: [Bool]
    var switches: [Int: Set<Int>]

    var size: Int { parents.count }
    var edgeCount: Int { parents.reduce(0) { $0 + $1.count } }

    init(parents: [[Int]], rules: [TriggerRule], outcomes: [Outcome], conditions: [Bool], switches: [Int: Set<Int>]) {
        self.parents = parents
        self.rules = rules
        self.outcomes = outcomes
        self.conditions = conditions
        self.switches = switches
    }

    var definition: WorkflowDefinition {
        let tasks = (0..<size).map { task in
            TaskDefinition(id: "t\(task)", run: .shell("true"), after: parents[task].map { "t\($0)" }, triggerRule: rules[task])
        }
        return WorkflowDefinition(name: "scenario", tasks: tasks)
    }

    /// 5–60 tasks, edges from lower to higher positions only, random rules and outcomes, ~15% false
    /// conditions and a few switches choosing a random subset of their children.
    static func random(using random: inout EngineTestRandom) -> EngineScenario {
        let size = Int.random(in: 5...60, using: &random)
        let density = Double.random(in: 0.02...0.35, using: &random)
        var parents: [[Int]] = Array(repeating: [], count: size)
        var children: [[Int]] = Array(repeating: [], count: size)
        for task in 1..<size {
            for parent in 0..<task where Double.random(in: 0..<1, using: &random) < density {
                parents[task].append(parent)
                children[parent].append(task)
            }
        }
        let rules = (0..<size).map { _ in TriggerRule.allCases.randomElement(using: &random) ?? .allSuccess }
        let outcomes = (0..<size).map { _ in Double.random(in: 0..<1, using: &random) < 0.7 ? Outcome.succeeded : .failed }
        let conditions = (0..<size).map { _ in Double.random(in: 0..<1, using: &random) >= 0.15 }
        var switches: [Int: Set<Int>] = [:]
        for task in 0..<size where !children[task].isEmpty && Double.random(in: 0..<1, using: &random) < 0.1 {
            switches[task] = Set(children[task].filter { _ in Bool.random(using: &random) })
        }
        return EngineScenario(parents: parents, rules: rules, outcomes: outcomes, conditions: conditions, switches: switches)
    }

    /// Runs the scenario: start, then repeatedly end a random ready task with its outcome. With
    /// `maxBatch` above 1, up to that many ready tasks end together and are propagated in one call
    /// (as when one message reports several tasks).
    func simulate(using random: inout EngineTestRandom, maxBatch: Int = 1) throws -> (ledger: MemoryAdvanceLedger, steps: Int) {
        var ledger = MemoryAdvanceLedger(scenario: self)
        try Advance.start(graph: ledger.graph, rules: rules, ledger: &ledger)
        var steps = 0
        while !ledger.ready.isEmpty {
            var completions: [Completion] = []
            for _ in 0..<Int.random(in: 1...maxBatch, using: &random) where !ledger.ready.isEmpty {
                let task = ledger.finish(at: Int.random(in: 0..<ledger.ready.count, using: &random))
                completions.append(Completion(task: task, outcome: outcomes[task]))
            }
            try Advance.propagate(completions, graph: ledger.graph, rules: rules, ledger: &ledger)
            steps += 1
        }
        return (ledger, steps)
    }

    /// The independent reference: every task's final state from its parents' final states,
    /// in position order (a topological order, since edges only go up).
    func reference() -> [MemoryTaskState] {
        var states: [MemoryTaskState] = []
        for task in 0..<size {
            let seen = parents[task].map { parent -> String in
                if let chosen = switches[parent], states[parent] == .succeeded, !chosen.contains(task) { return "skipped" }
                switch states[parent] {
                case .succeeded: return "succeeded"
                case .failed, .upstreamFailed: return "failed"
                default: return "skipped"
                }
            }
            let anySucceeded = seen.contains("succeeded")
            let anyFailed = seen.contains("failed")
            let anySkipped = seen.contains("skipped")
            let verdict: MemoryTaskState?   // nil: runs
            if seen.isEmpty {
                verdict = nil
            } else {
                switch rules[task] {
                case .allSuccess: verdict = anyFailed ? .upstreamFailed : (anySkipped ? .skipped : nil)
                case .allFailed: verdict = anySucceeded || anySkipped ? .skipped : nil
                case .allDone, .always: verdict = nil
                case .oneSuccess: verdict = anySucceeded ? nil : (anyFailed ? .upstreamFailed : .skipped)
                case .oneFailed: verdict = anyFailed ? nil : .skipped
                case .noneFailed: verdict = anyFailed ? .upstreamFailed : nil
                case .noneSkipped: verdict = anySkipped ? .skipped : nil
                }
            }
            if let verdict {
                states.append(verdict)
            } else if !conditions[task] {
                states.append(.skipped)
            } else if switches[task] != nil {
                states.append(.succeeded)
            } else {
                states.append(outcomes[task] == .succeeded ? .succeeded : .failed)
            }
        }
        return states
    }
}

/// `AdvanceLedger` over arrays, checking the protocol as it goes: nothing is decided twice, no
/// tally counts more upstream results than there are parents.
struct MemoryAdvanceLedger: AdvanceLedger {
    let scenario: EngineScenario
    let graph: WorkflowGraph
    var states: [MemoryTaskState]
    var tallies: [UpstreamTally]
    /// Tasks admitted and waiting to run, in the order they became ready.
    var ready: [Int] = []
    var violations: [String] = []
    /// Upstream outcomes handed to `deliver` (one per edge followed).
    var deliveredOutcomes = 0
    /// The children named by each `deliver` call, in order.
    var deliveries: [[Int]] = []

    init(scenario: EngineScenario) {
        self.scenario = scenario
        graph = WorkflowGraph(scenario.definition)
        states = Array(repeating: .pending, count: scenario.size)
        tallies = graph.parents.map { UpstreamTally(total: $0.count) }
    }

    /// Ends the ready task at `index` of `ready` with its predetermined outcome.
    mutating func finish(at index: Int) -> Int {
        let task = ready.remove(at: index)
        states[task] = scenario.outcomes[task] == .succeeded ? .succeeded : .failed
        return task
    }

    mutating func deliver(_ deltas: [Int: UpstreamTally]) throws -> [Int: UpstreamTally] {
        deliveries.append(deltas.keys.sorted())
        var pending: [Int: UpstreamTally] = [:]
        for (task, delta) in deltas {
            deliveredOutcomes += delta.done
            tallies[task].succeeded += delta.succeeded
            tallies[task].failed += delta.failed
            tallies[task].skipped += delta.skipped
            if tallies[task].done > tallies[task].total {
                violations.append("task \(task) got \(tallies[task].done) upstream results from \(tallies[task].total) parents")
            }
            if states[task] == .pending { pending[task] = tallies[task] }
        }
        return pending
    }

    mutating func settle(_ verdicts: [(task: Int, readiness: Readiness)]) throws {
        for verdict in verdicts {
            guard states[verdict.task] == .pending else {
                violations.append("task \(verdict.task) settled while \(states[verdict.task])")
                continue
            }
            switch verdict.readiness {
            case .skip: states[verdict.task] = .skipped
            case .upstreamFailed: states[verdict.task] = .upstreamFailed
            case .wait, .run: violations.append("task \(verdict.task) settled with \(verdict.readiness)")
            }
        }
    }

    mutating func admit(_ tasks: [Int]) throws -> [Completion] {
        var ended: [Completion] = []
        for task in tasks {
            guard states[task] == .pending else {
                violations.append("task \(task) admitted while \(states[task])")
                continue
            }
            if !scenario.conditions[task] {
                states[task] = .skipped
                ended.append(Completion(task: task, outcome: .skipped))
            } else if let chosen = scenario.switches[task] {
                states[task] = .succeeded
                ended.append(Completion(task: task, outcome: .succeeded, skippedChildren: Set(graph.children[task]).subtracting(chosen)))
            } else {
                states[task] = .ready
                ready.append(task)
            }
        }
        return ended
    }
}
