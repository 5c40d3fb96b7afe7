import Contracts
import Foundation
import Postgres
import Runtime
import ServiceKit

/// The resolver's state transitions. Every method runs inside the consumer's transaction and
/// publishes through its outbox, so a redelivered message finds the state already moved and
/// does nothing (the transition guards), and a crash loses nothing (nothing commits half-done).
struct RunEngine: Sendable {
    static let actor = "dependency-resolver"
    let plans: PlanCache
    let logger: Logger

    /// Creates the run and its task instances; roots become ready at once.
    func createRun(_ message: Envelope<RunRequested>, _ connection: PostgresConnection, _ outbox: Outbox) throws {
        let request = message.payload
        let tenant = message.tenant
        let plan = try plans.plan(tenant: tenant, workflow: request.workflow, version: request.workflowVersion, connection)
        let inserted = try connection.execute("""
            INSERT INTO runs (id, tenant, workflow, workflow_version, state, parameters, logical_time, tasks_total, tasks_open)
            VALUES ($1, $2, $3, $4, 'running', $5::jsonb, $6, $7, $7) ON CONFLICT (id) DO NOTHING
            """, [request.runID, tenant, request.workflow, request.workflowVersion,
                  String(decoding: try WireCoding.encode(request.parameters), as: UTF8.self), request.logicalTime, plan.definition.tasks.count])
        guard inserted == 1 else { return }
        let tasks = plan.definition.tasks
        let waiting = tasks.map { plan.graph.parentCount(of: $0.id) }
        try connection.execute("""
            INSERT INTO task_instances (run_id, task_id, tenant, position, state, waiting_on)
            SELECT $1, t, $2, p, CASE WHEN w = 0 THEN 'ready' ELSE 'pending' END, w
            FROM unnest($3::text[], $4::int[], $5::int[]) AS x(t, p, w)
            """, [request.runID, tenant, tasks.map(\.id), Array(0..<tasks.count).map(Int64.init), waiting.map(Int64.init)])
        let run = RunContext(id: request.runID, tenant: tenant, workflow: request.workflow, parameters: request.parameters,
                             logicalTime: request.logicalTime, plan: plan)
        try audit(run, outbox, action: "run.start", subjectType: "run", subjectID: run.key, from: RunState.queued.rawValue,
                  to: RunState.running.rawValue, details: ["version": "\(request.workflowVersion)", "source": request.source])
        try markReady(plan.graph.roots, run: run, outbox, alreadyStored: true)
        logger.info("run created", [LogKey.tenant: tenant, LogKey.run: run.key, LogKey.workflow: request.workflow,
                                    "tasks": "\(tasks.count)"])
    }

    /// Applies one attempt's status report; on a terminal state, advances the DAG.
    func applyStatus(_ message: Envelope<TaskStatus>, _ connection: PostgresConnection, _ outbox: Outbox) throws {
        let status = message.payload
        guard let current = try connection.query("""
            SELECT state, attempt FROM task_instances WHERE run_id = $1 AND task_id = $2 FOR UPDATE
            """, [status.runID, status.taskID]).first else {
            logger.warning("status for unknown task", [LogKey.run: status.runID.key, LogKey.task: status.taskID])
            return
        }
        let state = TaskState(rawValue: try current.string("state")) ?? .pending
        let attempt = try current.int("attempt")
        switch TaskTransition.decide(current: state, currentAttempt: attempt, report: status.state, reportAttempt: status.attempt) {
        case .ignore(let reason):
            logger.debug("status ignored", [LogKey.run: status.runID.key, LogKey.task: status.taskID,
                                            LogKey.attempt: "\(status.attempt)", "reason": reason])
        case .apply(let next, let nextAttempt):
            try connection.execute("""
                UPDATE task_instances SET state = $3, attempt = $4, exit_code = $5, reason = $6,
                    agent_id = COALESCE($7, agent_id), output_tail = COALESCE($8, output_tail), updated_at = now()
                WHERE run_id = $1 AND task_id = $2
                """, [status.runID, status.taskID, next.rawValue, nextAttempt, status.exitCode, status.reason, status.agentID, status.outputTail])
            guard let run = try loadRun(status.runID, connection) else { return }
            var details = ["attempt": "\(nextAttempt)"]
            if let code = status.exitCode { details["exitCode"] = "\(code)" }
            if let reason = status.reason { details["reason"] = reason }
            try audit(run, outbox, actor: status.agentID ?? "dispatcher", action: "task.\(next.rawValue)", subjectType: "task",
                      subjectID: status.taskID, taskID: status.taskID, from: state.rawValue, to: next.rawValue, details: details)
            if next.isTerminal { try taskFinished(status.taskID, succeeded: next == .succeeded, run: run, connection, outbox) }
        }
    }

    /// Ends a run as `cancelled`: tasks not finished are marked skipped (reason: the cancel), so
    /// later reports for them are ignored and nothing more becomes ready. A run that already
    /// finished, or a cancel for another tenant's run, changes nothing.
    func cancelRun(_ message: Envelope<RunCancelRequested>, _ connection: PostgresConnection, _ outbox: Outbox) throws {
        let cancel = message.payload
        guard let row = try connection.query("""
            UPDATE runs SET state = 'cancelled', tasks_open = 0, finished_at = now()
            WHERE id = $1 AND tenant = $2 AND state IN ('queued', 'running') RETURNING workflow
            """, [cancel.runID, message.tenant]).first else {
            logger.info("cancel ignored: run unknown or finished", [LogKey.run: cancel.runID.key])
            return
        }
        let skipped = try connection.query("""
            UPDATE task_instances SET state = 'skipped', reason = $2, updated_at = now()
            WHERE run_id = $1 AND state NOT IN ('succeeded', 'failed', 'skipped') RETURNING task_id
            """, [cancel.runID, "run cancelled: \(cancel.reason)"])
        let key = cancel.runID.key
        try outbox.publish(AuditRecord(actor: cancel.requestedBy, action: "run.cancelled", subjectType: "run", subjectID: key,
                                       runID: cancel.runID, fromState: RunState.running.rawValue, toState: RunState.cancelled.rawValue,
                                       details: ["reason": cancel.reason, "tasksSkipped": "\(skipped.count)"]),
                           tenant: message.tenant, topic: Topics.audit, key: message.tenant)
        logger.info("run cancelled", [LogKey.tenant: message.tenant, LogKey.run: key, LogKey.workflow: try row.string("workflow"),
                                      "reason": cancel.reason])
    }

    // MARK: - Advancing the DAG

    /// Unblocks children (O(children)) on success; skips every pending descendant on failure.
    private func taskFinished(_ taskID: String, succeeded: Bool, run: RunContext, _ connection: PostgresConnection, _ outbox: Outbox) throws {
        var closed = 1
        if succeeded {
            let children = run.plan.graph.children(of: taskID)
            if !children.isEmpty {
                let unblocked = try connection.query("""
                    UPDATE task_instances SET waiting_on = waiting_on - 1 WHERE run_id = $1 AND task_id = ANY($2)
                    RETURNING task_id, waiting_on, state
                    """, [run.id, children])
                let ready = try unblocked.filter { try $0.int("waiting_on") == 0 && $0.string("state") == TaskState.pending.rawValue }
                try markReady(try ready.map { try $0.string("task_id") }, run: run, outbox, alreadyStored: false, connection)
            }
        } else {
            let skipped = try connection.query("""
                UPDATE task_instances SET state = 'skipped', reason = $3, updated_at = now()
                WHERE run_id = $1 AND task_id = ANY($2) AND state = 'pending' RETURNING task_id
                """, [run.id, run.plan.graph.descendants(of: taskID), "upstream \(taskID) failed"])
            for row in skipped {
                let id = try row.string("task_id")
                try audit(run, outbox, action: "task.skipped", subjectType: "task", subjectID: id, taskID: id,
                          from: TaskState.pending.rawValue, to: TaskState.skipped.rawValue, details: ["cause": taskID])
            }
            closed += skipped.count
        }
        guard let counts = try connection.query("""
            UPDATE runs SET tasks_open = tasks_open - $2, tasks_failed = tasks_failed + $3 WHERE id = $1
            RETURNING tasks_open, tasks_failed
            """, [run.id, closed, succeeded ? 0 : 1]).first else { return }
        if try counts.int("tasks_open") == 0 {
            try finishRun(run, failed: try counts.int("tasks_failed") > 0, connection, outbox)
        }
    }

    private func finishRun(_ run: RunContext, failed: Bool, _ connection: PostgresConnection, _ outbox: Outbox) throws {
        let state = failed ? RunState.failed : RunState.succeeded
        try connection.execute("UPDATE runs SET state = $2, finished_at = now() WHERE id = $1 AND state = 'running'", [run.id, state.rawValue])
        try audit(run, outbox, action: "run.\(state.rawValue)", subjectType: "run", subjectID: run.key,
                  from: RunState.running.rawValue, to: state.rawValue)
        if failed {
            let failedTasks = try connection.query("""
                SELECT task_id, exit_code, reason FROM task_instances WHERE run_id = $1 AND state = 'failed' ORDER BY position LIMIT 20
                """, [run.id]).map { try $0.string("task_id") }
            try outbox.publish(Alert(kind: "run.failed", severity: "error",
                                     summary: "run \(run.key) of \(run.workflow) failed (tasks: \(failedTasks.joined(separator: ", ")))",
                                     runID: run.id, workflow: run.workflow, details: ["failedTasks": failedTasks.joined(separator: ",")]),
                               tenant: run.tenant, topic: Topics.alerts, key: run.tenant)
        }
        logger.info("run finished", [LogKey.tenant: run.tenant, LogKey.run: run.key, "state": state.rawValue])
    }

    /// Publishes `task.ready` for each task; stores the state unless the insert already did.
    private func markReady(_ taskIDs: [String], run: RunContext, _ outbox: Outbox, alreadyStored: Bool,
                           _ connection: PostgresConnection? = nil) throws {
        guard !taskIDs.isEmpty else { return }
        if !alreadyStored, let connection {
            try connection.execute("""
                UPDATE task_instances SET state = 'ready', updated_at = now() WHERE run_id = $1 AND task_id = ANY($2)
                """, [run.id, taskIDs])
        }
        for taskID in taskIDs {
            guard let task = run.plan.tasks[taskID] else { continue }
            var environment = task.env
            for (name, value) in run.parameters { environment["WL_PARAM_\(name)"] = value }
            environment["WL_LOGICAL_TIME"] = Timestamp.format(run.logicalTime)
            // Until the resolver runs switch and sub-workflow tasks itself, a task without `run`
            // goes out with an empty command, which the agent reports as a failed spawn.
            let spec = TaskSpec(runID: run.id, taskID: taskID, workflow: run.workflow, pool: task.pool,
                                command: task.run ?? .argv([]), environment: environment)
            try outbox.publish(TaskReady(task: spec), tenant: run.tenant, topic: Topics.tasksReady, key: run.key)
            try audit(run, outbox, action: "task.ready", subjectType: "task", subjectID: taskID, taskID: taskID,
                      from: TaskState.pending.rawValue, to: TaskState.ready.rawValue)
        }
    }

    // MARK: - Helpers

    private func loadRun(_ id: UUID, _ connection: PostgresConnection) throws -> RunContext? {
        guard let row = try connection.query("""
            SELECT tenant, workflow, workflow_version, parameters::text AS parameters, logical_time FROM runs WHERE id = $1
            """, [id]).first else { return nil }
        let tenant = try row.string("tenant")
        let workflow = try row.string("workflow")
        let plan = try plans.plan(tenant: tenant, workflow: workflow, version: try row.int("workflow_version"), connection)
        return RunContext(id: id, tenant: tenant, workflow: workflow,
                          parameters: try row.json("parameters", as: [String: String].self), logicalTime: try row.date("logical_time"),
                          plan: plan)
    }

    private func audit(_ run: RunContext, _ outbox: Outbox, actor: String = RunEngine.actor, action: String, subjectType: String,
                       subjectID: String, taskID: String? = nil, from: String? = nil, to: String? = nil,
                       details: [String: String] = [:]) throws {
        try outbox.publish(AuditRecord(actor: actor, action: action, subjectType: subjectType, subjectID: subjectID, runID: run.id,
                                       taskID: taskID, fromState: from, toState: to, details: details),
                           tenant: run.tenant, topic: Topics.audit, key: run.tenant)
    }
}

/// What the engine needs to know about a run while advancing it.
struct RunContext {
    let id: UUID
    let tenant: String
    let workflow: String
    let parameters: [String: String]
    let logicalTime: Date
    let plan: RunPlan

    var key: String { id.key }
}
