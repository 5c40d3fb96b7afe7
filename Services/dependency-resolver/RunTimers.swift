import Contracts
import Foundation
import Postgres
import Runtime
import ServiceKit

/// Timers of runs (retries, run timeouts, deadlines, wait timeouts) as rows in `run_timers`. A
/// timer is unique per (run, task, kind), so arming again moves it. The loop turns due rows into
/// `run.timer` messages on the run's own stream, claiming them with SKIP LOCKED so any number of
/// resolver instances can share the work; deleting and publishing in one transaction means a
/// timer fires at least once and never gets lost.
enum RunTimers {
    static func arm(_ run: RunContext, task: String = "", kind: RunTimerFired.Kind, due: Date, token: Int = 0,
                    _ connection: PostgresConnection) throws {
        try connection.executeDeferred("""
            INSERT INTO run_timers (run_id, task_id, kind, tenant, due_at, token) VALUES ($1, $2, $3, $4, $5, $6)
            ON CONFLICT (run_id, task_id, kind) DO UPDATE SET due_at = EXCLUDED.due_at, token = EXCLUDED.token
            """, [run.id, task, kind.rawValue, run.tenant, due, token])
    }

    /// Drops the timers of a run (when it ends) or of some of its tasks.
    static func cancel(run: UUID, tasks: [String]? = nil, _ connection: PostgresConnection) throws {
        if let tasks {
            try connection.executeDeferred("DELETE FROM run_timers WHERE run_id = $1 AND task_id = ANY($2)", [run, tasks])
        } else {
            try connection.executeDeferred("DELETE FROM run_timers WHERE run_id = $1", [run])
        }
    }
}

struct RunTimerLoop: Service {
    let name = "run-timers"
    let context: ServiceContext
    let interval: Duration

    func run() async throws {
        while !Task.isCancelled {
            await Task.pause(interval)
            if Task.isCancelled { break }
            do {
                while try await fireDue() == Self.batch {}
            } catch {
                context.logger.error("timer sweep failed", [LogKey.error: "\(error)"])
            }
        }
    }

    static let batch = 500

    private func fireDue() async throws -> Int {
        try await context.transaction { connection, outbox in
            let due = try connection.query("""
                DELETE FROM run_timers t USING (
                    SELECT run_id, task_id, kind FROM run_timers WHERE due_at <= now() ORDER BY due_at LIMIT $1 FOR UPDATE SKIP LOCKED
                ) d WHERE t.run_id = d.run_id AND t.task_id = d.task_id AND t.kind = d.kind
                RETURNING t.run_id, t.task_id, t.kind, t.tenant, t.token
                """, [Self.batch])
            for row in due {
                guard let kind = RunTimerFired.Kind(rawValue: try row.string("kind")) else { continue }
                let runID = try row.uuid("run_id")
                try outbox.publish(RunTimerFired(runID: runID, kind: kind, taskID: try row.string("task_id"), token: try row.int("token")),
                                   tenant: try row.string("tenant"), topic: Topics.runsRequested, key: runID.key)
            }
            return due.count
        }
    }
}
