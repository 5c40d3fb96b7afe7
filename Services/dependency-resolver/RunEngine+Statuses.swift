import Contracts
import Foundation
import Postgres
import Runtime
import ServiceKit

/// Status reports, applied a batch at a time: for each run, the run is locked and its reported
/// tasks are read once, every report is decided in order against the state the previous ones
/// left (exactly as if applied one by one), the changed tasks are written in one statement and
/// the DAG advances once with all the tasks that ended. A busy run costs a handful of round trips
/// per batch instead of several per report (docs/performance.md).
extension RunEngine {
    func applyStatuses(_ messages: [Envelope<TaskStatus>], _ connection: PostgresConnection, _ outbox: Outbox) throws {
        var reports = OrderedGroups<UUID, TaskStatus>()
        for message in messages { reports.append(message.payload, to: message.payload.runID) }
        // In id order, as the lifecycle loop locks its batches' runs (`RunContext.lockInOrder`).
        for run in reports.keys.sorted(by: { $0.key < $1.key }) {
            try applyStatuses(reports[run], of: run, connection, outbox)
        }
    }

    /// A task's row as the reports of this batch move it.
    private struct TaskRow {
        var state: TaskState
        var attempt: Int
        var failures: Int
    }

    /// The columns one task's reports change, merged in report order: the last report's exit
    /// code and reason; the newest agent, output tail and outputs that were given (the stored
    /// ones stay otherwise).
    private struct TaskChange: Encodable {
        let taskID: String
        var state = ""
        var attempt = 0
        var failures = 0
        var exitCode: Int?
        var reason: String?
        var agentID: String?
        var outputTail: String?
        var outputs: [String: String]?

        init(taskID: String) { self.taskID = taskID }

        mutating func apply(_ status: TaskStatus, _ row: TaskRow) {
            state = row.state.rawValue
            attempt = row.attempt
            failures = row.failures
            exitCode = status.exitCode
            reason = status.reason
            agentID = status.agentID ?? agentID
            outputTail = status.outputTail ?? outputTail
            outputs = status.outputs ?? outputs
        }
    }

    private func applyStatuses(_ statuses: [TaskStatus], of runID: UUID, _ connection: PostgresConnection, _ outbox: Outbox) throws {
        // The run's row locked, then its reported tasks' rows read, in one round trip.
        let locked = try connection.queries([RunContext.lock(runID), Self.readTasks(Set(statuses.map(\.taskID)), of: runID)])
        guard locked.count == 2, let run = try RunContext(runID, row: locked[0].first, plans: plans, connection) else {
            logger.warning("status for unknown run", [LogKey.run: runID.key, "reports": "\(statuses.count)"])
            return
        }
        var rows = try Self.taskRows(locked[1])
        var changes: [String: TaskChange] = [:]
        var changed: [String] = []
        var completions: [Completion] = []
        var ended: [TaskState] = []
        // Tasks dispatched (or otherwise out of `ready`) make room in the run's ready window.
        var leftReady = 0
        let effects = RunEffects(outbox: outbox, logger: logger)
        for status in statuses {
            guard let position = run.plan.graph.index[status.taskID], let row = rows[status.taskID] else {
                logger.warning("status for unknown task", [LogKey.run: runID.key, LogKey.task: status.taskID])
                continue
            }
            switch TaskTransition.decide(current: row.state, currentAttempt: row.attempt, report: status.state, reportAttempt: status.attempt) {
            case .ignore(let reason):
                logger.debug("status ignored", [LogKey.run: runID.key, LogKey.task: status.taskID, LogKey.attempt: "\(status.attempt)",
                                                "reason": reason])
            case .apply(var next, let attempt):
                let failures = row.failures + (next == .failed ? 1 : 0)
                let task = run.plan.definition.tasks[position]
                var retryAt: Date?
                if next == .failed, let policy = RetryPolicy.governing(task.retry, reason: status.reason),
                   policy.allowsRetry(failures: failures, exitCode: status.exitCode, reason: status.reason) {
                    next = .retrying
                    retryAt = Date().addingTimeInterval(policy.delay(afterFailure: failures, random: Double.random(in: 0..<1)))
                }
                let updated = TaskRow(state: next, attempt: attempt, failures: failures)
                if row.state == .ready && next != .ready { leftReady += 1 }
                rows[status.taskID] = updated
                if changes[status.taskID] == nil { changed.append(status.taskID) }
                changes[status.taskID, default: TaskChange(taskID: status.taskID)].apply(status, updated)
                try effects.audit(run, "task.\(next.rawValue)", task: status.taskID, from: row.state.rawValue, to: next.rawValue,
                                  actor: status.agentID ?? "dispatcher", details: Self.details(status, attempt: attempt, retryAt: retryAt))
                if let retryAt {
                    try RunTimers.arm(run, task: status.taskID, kind: .retry, due: retryAt, token: failures, connection)
                }
                if next.isTerminal, let outcome = next.outcome {
                    ended.append(next)
                    completions.append(Completion(task: position, outcome: outcome))
                }
            }
        }
        try write(changed.compactMap { changes[$0] }, of: run, connection)
        guard !completions.isEmpty || (leftReady > 0 && window.covers(run)) else { return }
        try advance(run, keptCounts: true, connection, outbox) { ledger in
            ledger.leftReady(leftReady)
            for state in ended { ledger.count(ended: state) }
            try ledger.propagate(completions)
        }
    }

    /// Reads the reported tasks' state. Their rows need no lock of their own: every change to a
    /// run's tasks locks the run's row first (`RunContext.lock`), which this batch holds, and a
    /// row lock is a WAL record per task (docs/performance.md, item 62).
    private static func readTasks(_ tasks: Set<String>, of run: UUID) -> (sql: String, parameters: [any PostgresBindable]) {
        ("""
        SELECT task_id, state, attempt, failures FROM task_instances WHERE run_id = $1 AND task_id = ANY($2)
        """, [run, Array(tasks)])
    }

    private static func taskRows(_ locked: PostgresRows) throws -> [String: TaskRow] {
        var rows: [String: TaskRow] = [:]
        for row in locked {
            rows[try row.string("task_id")] = TaskRow(state: TaskState(rawValue: try row.string("state")) ?? .pending,
                                                      attempt: try row.int("attempt"), failures: try row.int("failures"))
        }
        return rows
    }

    /// One statement for every changed task of the run.
    private func write(_ changes: [TaskChange], of run: RunContext, _ connection: PostgresConnection) throws {
        guard !changes.isEmpty else { return }
        try connection.executeDeferred("""
            UPDATE task_instances t SET state = c.state, attempt = c.attempt, exit_code = c."exitCode", reason = c.reason,
                agent_id = COALESCE(c."agentID", t.agent_id), output_tail = COALESCE(c."outputTail", t.output_tail),
                outputs = COALESCE(c.outputs, t.outputs), failures = c.failures, updated_at = now()
            FROM json_to_recordset($2::json) AS c("taskID" text, state text, attempt int, failures int, "exitCode" int, reason text,
                                                    "agentID" text, "outputTail" text, outputs jsonb)
            WHERE t.run_id = $1 AND t.task_id = c."taskID"
            """, [run.id, String(decoding: try WireCoding.encode(changes), as: UTF8.self)])
    }

    private static func details(_ status: TaskStatus, attempt: Int, retryAt: Date?) -> [String: String] {
        var details = ["attempt": "\(attempt)"]
        if let code = status.exitCode { details["exitCode"] = "\(code)" }
        if let reason = status.reason { details["reason"] = reason }
        if let retryAt { details["retryAt"] = Timestamp.format(retryAt) }
        // An attempt shorter than the agent's `running` delay has no `task.running` record.
        if let startedAt = status.startedAt { details["startedAt"] = Timestamp.format(startedAt) }
        return details
    }
}
