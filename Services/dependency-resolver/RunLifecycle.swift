import Contracts
import Foundation
import Postgres
import Runtime
import ServiceKit

/// How a run ends: on its own when no task is left open (`finish`), or stopped by a cancel or
/// its timeout (`stop`). Either way its timers go, `run.finished` is published (cross-workflow
/// waits listen for it), a parent task hears the result, and a failure raises an alert.
struct RunLifecycle {
    let effects: RunEffects
    let logger: Logger

    func finish(_ run: RunContext, as state: RunState, reason: String?, actor: String = RunEffects.actor,
                _ connection: PostgresConnection) throws {
        guard let row = try connection.query("""
            UPDATE runs SET state = $2, reason = $3, finished_at = now() WHERE id = $1 AND state IN ('running', 'paused')
            RETURNING parent_run_id, parent_task_id, parent_attempt
            """, [run.id, state.rawValue, reason]).first else { return }
        try RunTimers.cancel(run: run.id, connection)
        var details: [String: String] = [:]
        if let reason { details["reason"] = reason }
        try effects.audit(run, "run.\(state.rawValue)", from: run.state.rawValue, to: state.rawValue, actor: actor, details: details)
        try effects.outbox.publish(RunFinished(runID: run.id, workflow: run.workflow, state: state, logicalTime: run.logicalTime),
                                   tenant: run.tenant, topic: Topics.runsEvents, key: run.tenant)
        if let parent = try row.optionalUUID("parent_run_id"), let task = try row.optionalString("parent_task_id"),
           let attempt = try row.optionalInt("parent_attempt") {
            let status = TaskStatus(runID: parent, taskID: task, attempt: attempt, state: state == .succeeded ? .succeeded : .failed,
                                    reason: state == .succeeded ? nil : "sub-workflow run \(run.key) \(state.rawValue)")
            try effects.outbox.publish(status, tenant: run.tenant, topic: Topics.tasksStatus, key: parent.key)
        }
        if state == .failed { try alertFailed(run, reason: reason, connection) }
        logger.info("run finished", [LogKey.tenant: run.tenant, LogKey.run: run.key, "state": state.rawValue])
    }

    /// Ends an active run early. Running work is stopped: agents are told to kill the process
    /// group, sub-workflow runs are cancelled. With `failed` (a run timeout) the running tasks
    /// end failed and the rest skipped; with `cancelled` every open task ends skipped.
    func stop(_ run: RunContext, as state: RunState, reason: String, actor: String, _ connection: PostgresConnection) throws {
        let running = try connection.query("""
            SELECT task_id, child_run_id FROM task_instances WHERE run_id = $1 AND state IN ('ready', 'dispatched', 'running')
            """, [run.id])
        for row in running {
            let task = try row.string("task_id")
            if let child = try row.optionalUUID("child_run_id") {
                try effects.cancelChild(run, child: child, reason: "parent run \(run.key): \(reason)")
            } else {
                try effects.kill(run, task: task, reason: state == .cancelled ? "cancelled: \(reason)" : reason)
            }
        }
        let ended = try connection.query("""
            UPDATE task_instances SET state = CASE WHEN $3 AND state IN ('ready', 'dispatched', 'running') THEN 'failed' ELSE 'skipped' END,
                reason = $2, finished_by = $4, updated_at = now()
            WHERE run_id = $1 AND state NOT IN ('succeeded', 'failed', 'skipped', 'upstream_failed')
            RETURNING task_id, state
            """, [run.id, state == .cancelled ? "run cancelled: \(reason)" : reason, state == .failed, actor])
        let failed = try ended.filter { try $0.string("state") == TaskState.failed.rawValue }.count
        try connection.executeDeferred("UPDATE runs SET tasks_open = 0, tasks_failed = tasks_failed + $2 WHERE id = $1", [run.id, failed])
        try finish(run, as: state, reason: reason, actor: actor, connection)
        logger.info("run stopped", [LogKey.tenant: run.tenant, LogKey.run: run.key, "state": state.rawValue, "reason": reason,
                                    "tasksEnded": "\(ended.count)", "killed": "\(running.count)"])
    }

    private func alertFailed(_ run: RunContext, reason: String?, _ connection: PostgresConnection) throws {
        let failedTasks = try connection.query("""
            SELECT task_id FROM task_instances WHERE run_id = $1 AND state = 'failed' ORDER BY position LIMIT 20
            """, [run.id]).map { try $0.string("task_id") }
        var summary = "run \(run.key) of \(run.workflow) failed"
        if let reason { summary += ": \(reason)" }
        if !failedTasks.isEmpty { summary += " (tasks: \(failedTasks.joined(separator: ", ")))" }
        try effects.alert(run, kind: "run.failed", severity: "error", summary: summary,
                          details: ["failedTasks": failedTasks.joined(separator: ",")])
    }
}
