/// A task that ended (or was decided) and what its children see of it.
public struct Completion: Sendable, Equatable {
    public let task: Int
    public let outcome: Outcome
    /// Children that see `skipped` whatever `outcome` is: the branches a switch did not choose.
    public let skippedChildren: Set<Int>

    public init(task: Int, outcome: Outcome, skippedChildren: Set<Int> = []) {
        self.task = task
        self.outcome = outcome
        self.skippedChildren = skippedChildren
    }
}

/// Where `Advance` reads and writes task state: Postgres in the resolver, a dictionary in tests.
/// Task numbers are positions in the workflow definition (`WorkflowGraph.ids`).
public protocol AdvanceLedger {
    /// Adds the outcome counts in `deltas` to each task's upstream tally and returns the new tally
    /// of every task among them that is still `pending` (tasks already decided are left alone).
    mutating func deliver(_ deltas: [Int: UpstreamTally]) throws -> [Int: UpstreamTally]
    /// Stores trigger-rule verdicts that end a task without running it (`skip`, `upstreamFailed`).
    mutating func settle(_ verdicts: [(task: Int, readiness: Readiness)]) throws
    /// Tasks whose trigger rule says run. The ledger checks each one's condition and marks it
    /// ready, or ends it at once: a false condition skips it, a switch picks its branch. Returns
    /// the tasks that ended at once.
    mutating func admit(_ tasks: [Int]) throws -> [Completion]
}

/// Moves a run's DAG forward from finished tasks, touching only the edges out of tasks that
/// ended: a task finishing costs O(its children), and a skip or upstream failure spreads round
/// by round through exactly the tasks it reaches. One mechanism serves the resolver (over
/// Postgres) and the property tests (over a dictionary).
public enum Advance {
    /// The verdicts for a new run: tasks without upstream, and `always` tasks, may run at once.
    public static func start(graph: WorkflowGraph, rules: [TriggerRule], ledger: inout some AdvanceLedger) throws {
        var tallies: [Int: UpstreamTally] = [:]
        for task in graph.ids.indices { tallies[task] = UpstreamTally(total: graph.parents[task].count) }
        try resume(tallies, graph: graph, rules: rules, ledger: &ledger)
    }

    /// Decides pending tasks whose tallies are already known (a new run, a rerun) and follows
    /// every verdict they cause.
    public static func resume(_ pending: [Int: UpstreamTally], graph: WorkflowGraph, rules: [TriggerRule],
                              ledger: inout some AdvanceLedger) throws {
        let ended = try decide(pending, rules: rules, ledger: &ledger)
        try propagate(ended, graph: graph, rules: rules, ledger: &ledger)
    }

    /// Delivers `completions` to their children and follows every verdict they cause.
    public static func propagate(_ completions: [Completion], graph: WorkflowGraph, rules: [TriggerRule],
                                 ledger: inout some AdvanceLedger) throws {
        var frontier = completions
        while !frontier.isEmpty {
            var deltas: [Int: UpstreamTally] = [:]
            for completion in frontier {
                for child in graph.children[completion.task] {
                    let outcome = completion.skippedChildren.contains(child) ? Outcome.skipped : completion.outcome
                    deltas[child, default: UpstreamTally(total: 0)].add(outcome)
                }
            }
            guard !deltas.isEmpty else { return }
            frontier = try decide(try ledger.deliver(deltas), rules: rules, ledger: &ledger)
        }
    }

    /// Applies the trigger rules to pending tasks; returns the tasks that ended because of it.
    private static func decide(_ pending: [Int: UpstreamTally], rules: [TriggerRule],
                               ledger: inout some AdvanceLedger) throws -> [Completion] {
        var verdicts: [(task: Int, readiness: Readiness)] = []
        var runnable: [Int] = []
        for task in pending.keys.sorted() {
            guard let tally = pending[task] else { continue }
            switch rules[task].decide(tally) {
            case .wait: continue
            case .run: runnable.append(task)
            case let verdict: verdicts.append((task, verdict))
            }
        }
        try ledger.settle(verdicts)
        let ended = verdicts.map { Completion(task: $0.task, outcome: $0.readiness == .skip ? .skipped : .failed) }
        return ended + (try ledger.admit(runnable))
    }
}
