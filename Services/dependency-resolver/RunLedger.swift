import Contracts
import Foundation
import Postgres
import Runtime

/// `Advance`'s view of one run in Postgres, inside the consumer's transaction. It also counts the
/// tasks that ended, so the run's open and failed counters are written once per message
/// (`RunEngine.settleCounters`).
final class RunLedger: AdvanceLedger {
    /// The run, with its ready window's counts as this change moves them.
    private(set) var run: RunContext
    let connection: PostgresConnection
    let effects: RunEffects
    let launcher: TaskLauncher
    /// Who caused this change: the resolver, an agent, or a person.
    let actor: String
    private(set) var closed = 0
    private(set) var failed = 0
    let window: ReadyWindow
    /// The failures so far of the pending tasks `deliver` read, so launching them needs no
    /// second read of their rows (rows `deliver` locked: nobody else changes them meanwhile).
    private var failures: [String: Int] = [:]

    init(run: RunContext, connection: PostgresConnection, effects: RunEffects, waits: WaitBook, window: ReadyWindow,
         actor: String = RunEffects.actor) {
        self.run = run
        self.window = window
        self.connection = connection
        self.effects = effects
        self.actor = actor
        launcher = TaskLauncher(connection: connection, effects: effects, waits: waits)
    }

    var graph: WorkflowGraph { run.plan.graph }

    func deliver(_ deltas: [Int: UpstreamTally]) throws -> [Int: UpstreamTally] {
        let positions = deltas.keys.sorted()
        let rows = try connection.query("""
            UPDATE task_instances t SET up_succeeded = t.up_succeeded + d.s, up_failed = t.up_failed + d.f, up_skipped = t.up_skipped + d.k
            FROM unnest($2::text[], $3::int[], $4::int[], $5::int[]) AS d(task_id, s, f, k)
            WHERE t.run_id = $1 AND t.task_id = d.task_id
            RETURNING t.task_id, t.state, t.up_succeeded, t.up_failed, t.up_skipped, t.failures
            """, [run.id, positions.map { graph.ids[$0] }, positions.map { deltas[$0]?.succeeded ?? 0 },
                  positions.map { deltas[$0]?.failed ?? 0 }, positions.map { deltas[$0]?.skipped ?? 0 }])
        var pending: [Int: UpstreamTally] = [:]
        for row in rows where try row.string("state") == TaskState.pending.rawValue {
            let id = try row.string("task_id")
            guard let position = graph.index[id] else { continue }
            failures[id] = try row.int("failures")
            pending[position] = UpstreamTally(total: graph.parents[position].count, succeeded: try row.int("up_succeeded"),
                                              failed: try row.int("up_failed"), skipped: try row.int("up_skipped"))
        }
        return pending
    }

    func settle(_ verdicts: [(task: Int, readiness: Readiness)]) throws {
        for verdict in verdicts {
            let state: TaskState = verdict.readiness == .skip ? .skipped : .upstreamFailed
            let rule = run.plan.rules[verdict.task].rawValue
            try end(verdict.task, as: state, from: .pending, reason: "trigger rule \(rule)")
        }
    }

    func admit(_ tasks: [Int]) throws -> [Completion] {
        guard !tasks.isEmpty else { return [] }
        let outputs = try launcher.outputs(of: tasks, run: run)
        var completions: [Completion] = []
        var runnable: [Int] = []
        for task in tasks {
            let values = run.values(task: graph.ids[task], attempt: 1, outputs: outputs)
            do {
                if let condition = run.plan.conditions[task], try !condition.evaluate(values) {
                    completions.append(try end(task, as: .skipped, from: .pending, reason: "condition is false: \(condition)"))
                    continue
                }
                if let choice = run.plan.switches[task] {
                    completions.append(try choose(task, choice, values))
                    continue
                }
            } catch {
                completions.append(try end(task, as: .failed, from: .pending, reason: "condition: \(error)"))
                continue
            }
            runnable.append(task)
        }
        let open = try launcher.registerWaits(runnable, run: run)
        for task in runnable where open.contains(task) {
            try connection.executeDeferred("UPDATE task_instances SET state = 'waiting', updated_at = now() WHERE run_id = $1 AND task_id = $2",
                                   [run.id, graph.ids[task]])
            try effects.audit(run, "task.waiting", task: graph.ids[task], from: TaskState.pending.rawValue, to: TaskState.waiting.rawValue,
                              details: ["waitFor": (run.plan.waits[task] ?? []).map(\.workflow).joined(separator: ",")])
        }
        return completions + (try launch(runnable.filter { !open.contains($0) }, outputs: outputs))
    }

    /// Follows `completions` through the DAG (see `Advance.propagate`).
    func propagate(_ completions: [Completion]) throws {
        var ledger = self
        try Advance.propagate(completions, graph: graph, rules: run.plan.rules, ledger: &ledger)
    }

    /// Starts `tasks` (a retry, a met wait, a resume) and follows those that could not start.
    func start(_ tasks: [Int]) throws {
        try propagate(try launch(tasks))
    }

    /// Starts tasks that passed their rule, condition and waits: held while the run is paused,
    /// and beyond the run's ready window (`ReadyWindow`). `outputs` are the upstream outputs when
    /// the caller already read them.
    func launch(_ tasks: [Int], outputs: [String: [String: String]]? = nil) throws -> [Completion] {
        guard !tasks.isEmpty else { return [] }
        if run.state == .paused {
            try hold(tasks, reason: nil)
            for task in tasks { try effects.audit(run, "task.held", task: graph.ids[task], to: TaskState.held.rawValue) }
            return []
        }
        let room = window.covers(run) ? max(0, window.limit - run.window.ready) : tasks.count
        if tasks.count > room {
            let held = Array(tasks.dropFirst(room))
            try hold(held, reason: window.reason)
            run.window.held += held.count
        }
        let launched = try launcher.launch(Array(tasks.prefix(room)), run: run, outputs: outputs, failures: failures)
        run.window.ready += launched.readied
        var completions: [Completion] = []
        for failure in launched.failures {
            completions.append(try end(failure.task, as: .failed, from: nil, reason: failure.reason))
        }
        return completions
    }

    /// Tasks of the run that left `ready` (the status path's reports) make room in its window.
    func leftReady(_ count: Int) {
        run.window.ready = max(0, run.window.ready - count)
    }

    /// Starts the tasks held beyond the ready window, first by position, as far as its room
    /// allows; called after every change to a running run (`RunEngine.advance`). `recount`: the
    /// kept counts may be off (any change but the status path's), so the run's rows are counted.
    func releaseHeld(recount: Bool) throws {
        guard run.state == .running, window.covers(run) else { return }
        if recount { run.window = try window.recount(run, connection) }
        let room = window.limit - run.window.ready
        guard room > 0, recount ? run.window.held > 0 : window.shouldRelease(run.window) else { return }
        let held = try window.held(run, first: room, connection)
        guard !held.isEmpty else {
            run.window.held = 0 // the kept count was off: there are none
            return
        }
        run.window.held -= held.count
        try propagate(try launch(held))
    }

    private func hold(_ tasks: [Int], reason: String?) throws {
        guard !tasks.isEmpty else { return }
        try connection.executeDeferred("""
            UPDATE task_instances SET state = 'held', reason = $3, updated_at = now() WHERE run_id = $1 AND task_id = ANY($2)
            """, [run.id, tasks.map { graph.ids[$0] }, reason])
    }

    /// The switch's chosen branches run; the others see it as skipped.
    private func choose(_ task: Int, _ choice: RunPlan.Switch, _ values: ValueLookup) throws -> Completion {
        var chosen = choice.fallback
        for entry in choice.cases where try entry.condition.evaluate(values) {
            chosen = entry.targets
            break
        }
        let names = chosen.sorted().map { graph.ids[$0] }
        let completion = try end(task, as: .succeeded, from: .pending, reason: names.isEmpty ? "no branch chosen" : "chose \(names.joined(separator: ", "))")
        return Completion(task: task, outcome: completion.outcome, skippedChildren: Set(graph.children[task]).subtracting(chosen))
    }

    /// Ends one task (if it has not ended yet) and counts it.
    @discardableResult
    func end(_ task: Int, as state: TaskState, from previous: TaskState?, reason: String?, actor: String? = nil) throws -> Completion {
        let id = graph.ids[task]
        let changed = try connection.execute("""
            UPDATE task_instances SET state = $3, reason = $4, finished_by = $5, updated_at = now()
            WHERE run_id = $1 AND task_id = $2 AND state NOT IN ('succeeded', 'failed', 'skipped', 'upstream_failed')
            """, [run.id, id, state.rawValue, reason, actor])
        if changed > 0 {
            closed += 1
            if state == .failed { failed += 1 }
            var details: [String: String] = [:]
            if let reason { details["reason"] = reason }
            try effects.audit(run, "task.\(state.rawValue)", task: id, from: previous?.rawValue, to: state.rawValue,
                              actor: actor ?? self.actor, details: details)
        }
        return Completion(task: task, outcome: state.outcome ?? .failed)
    }

    /// A task that ended on its own (an agent's report, a sub-workflow's end) is counted here.
    func count(ended state: TaskState) {
        closed += 1
        if state == .failed { failed += 1 }
    }

    /// Tasks reopened by a rerun are counted back.
    func reopen(_ count: Int, failedBefore: Int) {
        closed -= count
        failed -= failedBefore
    }
}
