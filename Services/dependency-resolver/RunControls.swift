import Contracts
import Foundation
import Postgres
import Runtime
import ServiceKit

/// Operators' changes to a run: rerun, pause, resume, and ending a task by hand. Each is audited
/// with who asked. The HTTP routes check what they can up front (409s); this re-checks inside
/// the run's stream, where the state is current, and ignores what no longer applies.
extension RunEngine {
    func control(_ message: Envelope<RunControl>, _ connection: PostgresConnection, _ outbox: Outbox) throws {
        let control = message.payload
        guard let run = try RunContext.load(control.runID, plans: plans, connection), run.tenant == message.tenant else { return }
        let effects = RunEffects(outbox: outbox, logger: logger)
        switch control.action {
        case .pause:
            guard run.state == .running else { return ignored(control, run) }
            try connection.execute("UPDATE runs SET state = 'paused' WHERE id = $1", [run.id])
            try effects.audit(run, "run.paused", from: RunState.running.rawValue, to: RunState.paused.rawValue, actor: control.requestedBy)
        case .resume:
            guard run.state == .paused else { return ignored(control, run) }
            try resume(run, by: control.requestedBy, connection, outbox)
        case .rerunAll, .rerunFailed, .rerunFrom:
            guard !run.isActive else { return ignored(control, run) }
            try rerun(run, control, connection, outbox)
        case .markSucceeded, .markSkipped:
            try mark(run, control, connection, outbox)
        }
    }

    private func ignored(_ control: RunControl, _ run: RunContext) {
        logger.info("run control ignored", [LogKey.run: run.key, "action": control.action.rawValue, "state": run.state.rawValue])
    }

    private func resume(_ run: RunContext, by actor: String, _ connection: PostgresConnection, _ outbox: Outbox) throws {
        try connection.execute("UPDATE runs SET state = 'running' WHERE id = $1", [run.id])
        var resumed = run
        resumed.state = .running
        try RunEffects(outbox: outbox, logger: logger).audit(resumed, "run.resumed", from: RunState.paused.rawValue,
                                                             to: RunState.running.rawValue, actor: actor)
        let held = try connection.query("SELECT task_id FROM task_instances WHERE run_id = $1 AND state = 'held' ORDER BY position", [run.id])
            .compactMap { run.plan.graph.index[try $0.string("task_id")] }
        try advance(resumed, connection, outbox) { try $0.start(held) }
    }

    /// Reopens a finished run. The chosen tasks go back to pending with tallies rebuilt from the
    /// upstream tasks that keep their results, then the trigger rules run as for a new run.
    private func rerun(_ run: RunContext, _ control: RunControl, _ connection: PostgresConnection, _ outbox: Outbox) throws {
        let graph = run.plan.graph
        let states = try taskStates(run, connection)
        let reset: Set<Int>
        switch control.action {
        case .rerunFailed:
            reset = Set(states.filter { [.failed, .upstreamFailed, .skipped].contains($0.value) }.keys)
        case .rerunFrom:
            guard let task = control.taskID, let start = graph.index[task] else { return ignored(control, run) }
            reset = Set(graph.descendants(of: task).compactMap { graph.index[$0] }).union([start])
        default:
            reset = Set(graph.ids.indices)
        }
        guard !reset.isEmpty else { return ignored(control, run) }
        try reopen(run, reset, states: states, action: control.action.rawValue, actor: control.requestedBy, connection, outbox)
    }

    /// Puts `reset` back to pending and lets the trigger rules take them from there.
    func reopen(_ run: RunContext, _ reset: Set<Int>, states: [Int: TaskState], action: String, actor: String,
                _ connection: PostgresConnection, _ outbox: Outbox) throws {
        let graph = run.plan.graph
        let ordered = reset.sorted()
        var tallies: [Int: UpstreamTally] = [:]
        for task in ordered {
            var tally = UpstreamTally(total: graph.parents[task].count)
            for parent in graph.parents[task] where !reset.contains(parent) {
                if let outcome = states[parent]?.outcome { tally.add(outcome) }
            }
            tallies[task] = tally
        }
        let ids = ordered.map { graph.ids[$0] }
        try connection.execute("""
            UPDATE task_instances t SET state = 'pending', failures = 0, outputs = NULL, child_run_id = NULL, reason = NULL, exit_code = NULL,
                waits_open = 0, finished_by = NULL, up_succeeded = d.s, up_failed = d.f, up_skipped = d.k, updated_at = now()
            FROM unnest($2::text[], $3::int[], $4::int[], $5::int[]) AS d(task_id, s, f, k)
            WHERE t.run_id = $1 AND t.task_id = d.task_id
            """, [run.id, ids, ordered.map { tallies[$0]?.succeeded ?? 0 }, ordered.map { tallies[$0]?.failed ?? 0 },
                  ordered.map { tallies[$0]?.skipped ?? 0 }])
        try waits.forget(run: run.id, tasks: ids, connection)
        try RunTimers.cancel(run: run.id, connection)
        let failedBefore = reset.filter { states[$0] == .failed }.count
        try connection.execute("""
            UPDATE runs SET state = 'running', reason = NULL, finished_at = NULL, tasks_open = tasks_open + $2,
                tasks_failed = tasks_failed - $3, reruns = reruns + 1 WHERE id = $1
            """, [run.id, reset.count, failedBefore])
        var reopened = run
        reopened.state = .running
        try RunEffects(outbox: outbox, logger: logger).audit(reopened, "run.\(action)", from: run.state.rawValue, to: RunState.running.rawValue,
                                                             actor: actor, details: ["tasks": "\(reset.count)"])
        if let seconds = run.plan.definition.timeoutSeconds {
            try RunTimers.arm(reopened, kind: .runTimeout, due: Date().addingTimeInterval(TimeInterval(seconds)), connection)
        }
        try advance(reopened, actor: actor, connection, outbox) { ledger in
            try Advance.resume(tallies, graph: graph, rules: run.plan.rules, ledger: &ledger)
        }
        logger.info("run reopened", [LogKey.run: run.key, "action": action, "tasks": "\(reset.count)", "by": actor])
    }

    /// Ends a task by hand. An open task ends now (its process is killed); a task of a finished
    /// run takes the new state and everything downstream of it runs again.
    private func mark(_ run: RunContext, _ control: RunControl, _ connection: PostgresConnection, _ outbox: Outbox) throws {
        guard let task = control.taskID, let position = run.plan.graph.index[task],
              let current = try taskState(run, task, connection) else { return ignored(control, run) }
        let target: TaskState = control.action == .markSucceeded ? .succeeded : .skipped
        let effects = RunEffects(outbox: outbox, logger: logger)
        if !current.isTerminal, run.isActive {
            if [.ready, .dispatched, .running].contains(current) { try stopWork(run, task, reason: "marked \(target.rawValue) by \(control.requestedBy)", effects, connection) }
            try RunTimers.cancel(run: run.id, tasks: [task], connection)
            try advance(run, actor: control.requestedBy, connection, outbox) { ledger in
                try ledger.propagate([try ledger.end(position, as: target, from: current, reason: "marked by hand", actor: control.requestedBy)])
            }
            return
        }
        guard current.isTerminal, !run.isActive, current != target else { return ignored(control, run) }
        try connection.execute("""
            UPDATE task_instances SET state = $3, reason = 'marked by hand', finished_by = $4, updated_at = now() WHERE run_id = $1 AND task_id = $2
            """, [run.id, task, target.rawValue, control.requestedBy])
        if current == .failed { try connection.execute("UPDATE runs SET tasks_failed = tasks_failed - 1 WHERE id = $1", [run.id]) }
        try effects.audit(run, "task.\(target.rawValue)", task: task, from: current.rawValue, to: target.rawValue, actor: control.requestedBy,
                          details: ["reason": "marked by hand"])
        let states = try taskStates(run, connection)
        let downstream = Set(run.plan.graph.descendants(of: task).compactMap { run.plan.graph.index[$0] })
        if downstream.isEmpty {
            let failed = try connection.query("SELECT tasks_failed FROM runs WHERE id = $1", [run.id]).first?.int("tasks_failed") ?? 0
            let final: RunState = failed > 0 ? .failed : .succeeded
            try connection.execute("UPDATE runs SET state = $2 WHERE id = $1", [run.id, final.rawValue])
            try effects.audit(run, "run.\(final.rawValue)", from: run.state.rawValue, to: final.rawValue, actor: control.requestedBy)
            return
        }
        try reopen(run, downstream, states: states, action: "rerunDownstream", actor: control.requestedBy, connection, outbox)
    }

    /// Every task's state, by position.
    private func taskStates(_ run: RunContext, _ connection: PostgresConnection) throws -> [Int: TaskState] {
        var states: [Int: TaskState] = [:]
        for row in try connection.query("SELECT task_id, state FROM task_instances WHERE run_id = $1", [run.id]) {
            if let position = run.plan.graph.index[try row.string("task_id")] { states[position] = TaskState(rawValue: try row.string("state")) }
        }
        return states
    }

    private func stopWork(_ run: RunContext, _ task: String, reason: String, _ effects: RunEffects, _ connection: PostgresConnection) throws {
        if let child = try connection.query("SELECT child_run_id FROM task_instances WHERE run_id = $1 AND task_id = $2", [run.id, task])
            .first?.optionalUUID("child_run_id") {
            try effects.cancelChild(run, child: child, reason: reason)
        } else {
            try effects.kill(run, task: task, reason: reason)
        }
    }
}
