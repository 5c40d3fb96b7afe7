import Contracts
import Foundation
import Postgres
import Runtime
import ServiceKit

/// The resolver's state transitions. Every method runs inside the consumer's transaction and
/// publishes through its outbox, so a redelivered message finds the state already moved and
/// does nothing (the transition guards), and a crash loses nothing (nothing commits half-done).
/// All changes to one run arrive on its own ordered stream (messages keyed by run id).
struct RunEngine: Sendable {
    let plans: PlanCache
    let waits: WaitBook
    let window: ReadyWindow
    let logger: Logger

    /// Creates the run and its task instances and applies the trigger rules once: tasks without
    /// upstream become ready, and a run whose tasks all skip ends at once.
    func createRun(_ message: Envelope<RunRequested>, _ connection: PostgresConnection, _ outbox: Outbox) throws {
        let request = message.payload
        let tenant = message.tenant
        let plan = try plans.plan(tenant: tenant, workflow: request.workflow, version: request.workflowVersion, connection)
        let tasks = plan.definition.tasks
        let now = Date()
        let deadline = plan.definition.deadline.flatMap { DeadlineClock.due($0, logicalTime: request.logicalTime, start: now) }
        let inserted = try connection.execute("""
            INSERT INTO runs (id, tenant, workflow, workflow_version, state, parameters, logical_time, tasks_total, tasks_open,
                              parent_run_id, parent_task_id, parent_attempt, deadline_at)
            VALUES ($1, $2, $3, $4, 'running', $5::jsonb, $6, $7, $7, $8, $9, $10, $11) ON CONFLICT (id) DO NOTHING
            """, [request.runID, tenant, request.workflow, request.workflowVersion,
                  String(decoding: try WireCoding.encode(request.parameters), as: UTF8.self), request.logicalTime, tasks.count,
                  request.parent?.runID, request.parent?.taskID, request.parent?.attempt, deadline])
        guard inserted == 1 else { return }
        try connection.executeDeferred("""
            INSERT INTO task_instances (run_id, task_id, tenant, position, state)
            SELECT $1, t, $2, p, 'pending' FROM unnest($3::text[], $4::int[]) AS x(t, p)
            """, [request.runID, tenant, tasks.map(\.id), Array(0..<tasks.count)])
        let run = RunContext(id: request.runID, tenant: tenant, workflow: request.workflow, version: request.workflowVersion,
                             parameters: request.parameters, logicalTime: request.logicalTime, state: .running, plan: plan)
        let effects = RunEffects(outbox: outbox, logger: logger)
        try effects.audit(run, "run.start", from: RunState.queued.rawValue, to: RunState.running.rawValue,
                          details: ["version": "\(request.workflowVersion)", "source": request.source])
        // A backfill stands for the past: its deadline passed long ago and nobody waits on it.
        try armRunTimers(run, deadline: request.source == "backfill" ? nil : deadline, start: now, connection)
        try advance(run, connection, outbox) { ledger in
            try Advance.start(graph: plan.graph, rules: plan.rules, ledger: &ledger)
        }
        logger.info("run created", [LogKey.tenant: tenant, LogKey.run: run.key, LogKey.workflow: request.workflow,
                                    "tasks": "\(tasks.count)"])
    }

    /// Cancels a run: open tasks are skipped and running ones killed (see `RunLifecycle.stop`).
    func cancelRun(_ message: Envelope<RunCancelRequested>, _ connection: PostgresConnection, _ outbox: Outbox) throws {
        let cancel = message.payload
        guard let run = try RunContext.load(cancel.runID, plans: plans, connection), run.tenant == message.tenant, run.isActive else {
            logger.info("cancel ignored: run unknown or finished", [LogKey.run: cancel.runID.key])
            return
        }
        try lifecycle(outbox).stop(run, as: .cancelled, reason: cancel.reason, actor: cancel.requestedBy, connection)
    }

    /// A run timer came due; stale ones (the state moved on) do nothing.
    func timerFired(_ message: Envelope<RunTimerFired>, _ connection: PostgresConnection, _ outbox: Outbox) throws {
        let timer = message.payload
        guard let run = try RunContext.load(timer.runID, plans: plans, connection), run.isActive else { return }
        let effects = RunEffects(outbox: outbox, logger: logger)
        switch timer.kind {
        case .retry:
            guard let position = run.plan.graph.index[timer.taskID], try taskState(run, timer.taskID, connection) == .retrying else { return }
            try advance(run, connection, outbox) { try $0.start([position]) }
        case .runTimeout:
            let limit = run.plan.definition.timeout ?? "its timeout"
            try lifecycle(outbox).stop(run, as: .failed, reason: "run timeout (\(limit))", actor: RunEffects.actor, connection)
        case .deadlineWarning, .deadlineMissed:
            let missed = timer.kind == .deadlineMissed
            let due = try connection.query("SELECT deadline_at FROM runs WHERE id = $1", [run.id]).first?.optionalDate("deadline_at")
            let when = due.map(Timestamp.format) ?? "its deadline"
            try effects.alert(run, kind: missed ? "deadline.missed" : "deadline.approaching", severity: missed ? "error" : "warning",
                              summary: missed ? "run \(run.key) of \(run.workflow) missed its deadline \(when)"
                                  : "run \(run.key) of \(run.workflow) is still running; its deadline is \(when)",
                              details: ["deadline": when])
            try effects.audit(run, missed ? "run.deadline-missed" : "run.deadline-warning", details: ["deadline": when])
        case .dependencyTimeout:
            guard let position = run.plan.graph.index[timer.taskID], try taskState(run, timer.taskID, connection) == .waiting else { return }
            let open = try connection.query("""
                SELECT upstream_workflow FROM run_waits WHERE run_id = $1 AND task_id = $2 AND met_by IS NULL ORDER BY upstream_workflow
                """, [run.id, timer.taskID]).map { try $0.string("upstream_workflow") }
            try advance(run, connection, outbox) { ledger in
                try ledger.propagate([try ledger.end(position, as: .failed, from: .waiting,
                                                     reason: "dependency timeout: no successful run of \(open.joined(separator: ", "))")])
            }
        }
    }

    /// One wait of a task is met; the task starts when none is left.
    func dependencyMet(_ message: Envelope<DependencyMet>, _ connection: PostgresConnection, _ outbox: Outbox) throws {
        let met = message.payload
        guard let run = try RunContext.load(met.runID, plans: plans, connection), run.isActive,
              let position = run.plan.graph.index[met.taskID],
              let row = try connection.query("""
                  UPDATE task_instances SET waits_open = waits_open - 1 WHERE run_id = $1 AND task_id = $2 AND state = 'waiting'
                  RETURNING waits_open
                  """, [met.runID, met.taskID]).first, try row.int("waits_open") <= 0 else { return }
        try RunTimers.cancel(run: run.id, tasks: [met.taskID], connection)
        try RunEffects(outbox: outbox, logger: logger).audit(run, "task.dependencies-met", task: met.taskID,
                                                             details: ["upstreamRun": met.upstreamRunID.key])
        try advance(run, connection, outbox) { try $0.start([position]) }
    }

    // MARK: - Shared steps

    /// Runs `body` against the run's ledger, makes ready the held tasks the ready window has room
    /// for, then writes the counters once and finishes the run when no task is left open.
    /// `keptCounts`: the window's counts on the run's row are right (the status path keeps them);
    /// every other change counts the run's rows (`ReadyWindow`).
    func advance(_ run: RunContext, actor: String = RunEffects.actor, keptCounts: Bool = false, _ connection: PostgresConnection,
                 _ outbox: Outbox, _ body: (inout RunLedger) throws -> Void) throws {
        var ledger = RunLedger(run: run, connection: connection, effects: RunEffects(outbox: outbox, logger: logger), waits: waits,
                               window: window, actor: actor)
        try body(&ledger)
        try ledger.releaseHeld(recount: !keptCounts)
        guard let counts = try connection.query("""
            UPDATE runs SET tasks_open = tasks_open - $2, tasks_failed = tasks_failed + $3, window_ready = $4, window_held = $5 WHERE id = $1
            RETURNING tasks_open, tasks_failed, state
            """, [run.id, ledger.closed, ledger.failed, ledger.run.window.ready, ledger.run.window.held]).first else { return }
        let state = RunState(rawValue: try counts.string("state")) ?? .running
        if try counts.int("tasks_open") <= 0, state == .running || state == .paused {
            try lifecycle(outbox).finish(run, as: try counts.int("tasks_failed") > 0 ? .failed : .succeeded, reason: nil, connection)
        }
    }

    func lifecycle(_ outbox: Outbox) -> RunLifecycle {
        RunLifecycle(effects: RunEffects(outbox: outbox, logger: logger), logger: logger)
    }

    func taskState(_ run: RunContext, _ task: String, _ connection: PostgresConnection) throws -> TaskState? {
        try connection.query("SELECT state FROM task_instances WHERE run_id = $1 AND task_id = $2 FOR UPDATE", [run.id, task])
            .first.flatMap { TaskState(rawValue: try $0.string("state")) }
    }

    private func armRunTimers(_ run: RunContext, deadline: Date?, start: Date, _ connection: PostgresConnection) throws {
        if let seconds = run.plan.definition.timeoutSeconds {
            try RunTimers.arm(run, kind: .runTimeout, due: start.addingTimeInterval(TimeInterval(seconds)), connection)
        }
        guard let deadline, let definition = run.plan.definition.deadline else { return }
        let warning = deadline.addingTimeInterval(-TimeInterval(definition.warnBeforeSeconds))
        if warning > start { try RunTimers.arm(run, kind: .deadlineWarning, due: warning, connection) }
        try RunTimers.arm(run, kind: .deadlineMissed, due: deadline, connection)
    }
}
