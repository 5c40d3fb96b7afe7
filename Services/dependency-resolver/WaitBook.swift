import Contracts
import Foundation
import Postgres
import Runtime
import ServiceKit

/// Cross-workflow waits (`waitFor`). A waiting task holds no agent slot and polls nothing: it is
/// released by the upstream workflow's `run.finished` event. Both sides take the same
/// transaction-scoped advisory lock on (tenant, upstream workflow), so a wait registered while
/// the upstream run finishes is either seen by the event or sees the finished run itself.
struct WaitBook: Sendable {
    let logger: Logger

    /// Records the waits of one task, marks those an earlier run already meets, and arms the
    /// timeout; returns how many are still open.
    func register(run: RunContext, task: String, _ dependencies: [WorkflowDependency], _ connection: PostgresConnection) throws -> Int {
        var open = 0
        for dependency in dependencies {
            try lock(tenant: run.tenant, workflow: dependency.workflow, connection)
            let window = Self.window(dependency, logicalTime: run.logicalTime)
            let met = try connection.query("""
                SELECT id FROM runs WHERE tenant = $1 AND workflow = $2 AND state = 'succeeded' AND logical_time BETWEEN $3 AND $4
                ORDER BY logical_time DESC LIMIT 1
                """, [run.tenant, dependency.workflow, window.start, window.end]).first.map { try $0.uuid("id") }
            try connection.executeDeferred("""
                INSERT INTO run_waits (run_id, task_id, upstream_workflow, tenant, window_start, window_end, met_by)
                VALUES ($1, $2, $3, $4, $5, $6, $7)
                ON CONFLICT (run_id, task_id, upstream_workflow) DO UPDATE SET window_start = EXCLUDED.window_start,
                    window_end = EXCLUDED.window_end, met_by = EXCLUDED.met_by, created_at = now()
                """, [run.id, task, dependency.workflow, run.tenant, window.start, window.end, met])
            if met == nil { open += 1 }
        }
        try connection.executeDeferred("UPDATE task_instances SET waits_open = $3 WHERE run_id = $1 AND task_id = $2", [run.id, task, open])
        if open > 0, let timeout = dependencies.map(\.timeoutSeconds).max() {
            try RunTimers.arm(run, task: task, kind: .dependencyTimeout, due: Date().addingTimeInterval(TimeInterval(timeout)), connection)
        }
        return open
    }

    /// A run finished: each open wait it meets is marked met and its run told, in that run's stream.
    func runFinished(_ message: Envelope<RunFinished>, _ connection: PostgresConnection, _ outbox: Outbox) throws {
        let finished = message.payload
        guard finished.state == .succeeded else { return }
        try lock(tenant: message.tenant, workflow: finished.workflow, connection)
        let met = try connection.query("""
            UPDATE run_waits SET met_by = $3 WHERE tenant = $1 AND upstream_workflow = $2 AND met_by IS NULL
                AND $4 BETWEEN window_start AND window_end
            RETURNING run_id, task_id
            """, [message.tenant, finished.workflow, finished.runID, finished.logicalTime])
        for row in met {
            let runID = try row.uuid("run_id")
            try outbox.publish(DependencyMet(runID: runID, taskID: try row.string("task_id"), upstreamRunID: finished.runID),
                               tenant: message.tenant, topic: Topics.runsRequested, key: runID.key)
        }
        if !met.isEmpty {
            logger.info("waits met", [LogKey.tenant: message.tenant, LogKey.workflow: finished.workflow, "count": "\(met.count)"])
        }
    }

    /// Forgets the waits of tasks a rerun reopens.
    func forget(run: UUID, tasks: [String], _ connection: PostgresConnection) throws {
        try connection.execute("DELETE FROM run_waits WHERE run_id = $1 AND task_id = ANY($2)", [run, tasks])
    }

    private func lock(tenant: String, workflow: String, _ connection: PostgresConnection) throws {
        _ = try connection.query("SELECT pg_advisory_xact_lock(hashtext($1))", ["wait/\(tenant)/\(workflow)"])
    }

    /// The logical times of upstream runs that meet `dependency`: within ± the window, or the
    /// same calendar date in the dependency's time zone.
    static func window(_ dependency: WorkflowDependency, logicalTime: Date) -> (start: Date, end: Date) {
        if let within = dependency.withinSeconds {
            return (logicalTime.addingTimeInterval(-TimeInterval(within)), logicalTime.addingTimeInterval(TimeInterval(within)))
        }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: dependency.timezone ?? "UTC") ?? TimeZone(secondsFromGMT: 0) ?? .current
        let start = calendar.startOfDay(for: logicalTime)
        let next = calendar.date(byAdding: .day, value: 1, to: start) ?? start.addingTimeInterval(86_400)
        return (start, next.addingTimeInterval(-0.001))
    }
}
