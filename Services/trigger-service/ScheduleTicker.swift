import Contracts
import Foundation
import Postgres
import Runtime
import Scheduling
import ServiceKit

/// The leader's work at each tick: fire every due schedule, then start queued fires that now have
/// room. Each schedule and each workflow's queue is one transaction that first checks the
/// leader's fencing token, so a deposed leader's late transaction changes nothing; and a fire is
/// unique per (schedule, logical time), so repeating a tick cannot double a run.
struct ScheduleTicker: Sendable {
    let context: ServiceContext
    let batchSize = 200

    /// Returns how many schedules it fired and queued fires it started (0: nothing to do now).
    func tick(fence: Int64, now: Date) async throws -> Int {
        let due = try await context.database.withConnection { [batchSize] connection in
            try connection.query("""
                SELECT tenant, workflow, schedule_id FROM schedules WHERE NOT paused AND next_due <= $1 ORDER BY next_due LIMIT $2
                """, [now, batchSize]).map { (try $0.string("tenant"), try $0.string("workflow"), try $0.string("schedule_id")) }
        }
        for (tenant, workflow, scheduleID) in due {
            let context = context
            do {
                try await context.transaction { connection, outbox in
                    try Fencing.check(fence, connection)
                    try FireRecorder(tenant: tenant, workflow: workflow, fence: fence, connection: connection, outbox: outbox,
                                     logger: context.logger).fireSchedule(scheduleID, now: now)
                }
            } catch let error where !(error is Fencing.Deposed) && (error as? PostgresError)?.code != .connection {
                try await postpone(tenant: tenant, workflow: workflow, scheduleID: scheduleID, now: now, error: error)
            }
        }
        let queued = try await context.database.withConnection { [batchSize] connection in
            try connection.query("""
                SELECT DISTINCT tenant, workflow FROM schedule_fires WHERE state = 'queued' LIMIT $1
                """, [batchSize]).map { (try $0.string("tenant"), try $0.string("workflow")) }
        }
        var started = 0
        for (tenant, workflow) in queued {
            let context = context
            started += try await context.transaction { connection, outbox in
                try Fencing.check(fence, connection)
                return try FireRecorder(tenant: tenant, workflow: workflow, fence: fence, connection: connection, outbox: outbox,
                                        logger: context.logger).drainQueue()
            }
        }
        return due.count + started
    }

    /// A schedule that cannot be fired (its data is inconsistent) is retried a minute later
    /// instead of stopping every other schedule; the error is logged each time.
    private func postpone(tenant: String, workflow: String, scheduleID: String, now: Date, error: any Error) async throws {
        context.logger.error("schedule could not fire; retrying in a minute", [
            LogKey.tenant: tenant, LogKey.workflow: workflow, "schedule": scheduleID, LogKey.error: "\(error)",
        ])
        try await context.database.withConnection { connection in
            try connection.execute("""
                UPDATE schedules SET next_due = $4 WHERE tenant = $1 AND workflow = $2 AND schedule_id = $3
                """, [tenant, workflow, scheduleID, now.addingTimeInterval(60)])
        }
    }
}

/// The leader's fencing token: the leadership row's counter, bumped by every new leader. Checked
/// under a share lock, so a new leader's bump waits for the old leader's open transactions and
/// every transaction after it sees the new token.
enum Fencing {
    struct Deposed: Error, CustomStringConvertible {
        let fence: Int64
        let current: Int64
        var description: String { "scheduler leadership lost: fence \(fence) is superseded by \(current)" }
    }

    static func check(_ fence: Int64, _ connection: PostgresConnection) throws {
        let current = try connection.query("SELECT fence FROM scheduler_leadership WHERE id = 1 FOR SHARE").first?.int64("fence") ?? -1
        guard current == fence else { throw Deposed(fence: fence, current: current) }
    }

    /// Takes leadership: returns the new token. Run on the session that holds the leader lock.
    static func acquire(holder: String, _ connection: PostgresConnection) throws -> Int64 {
        guard let row = try connection.query("""
            UPDATE scheduler_leadership SET fence = fence + 1, holder = $1, acquired_at = now() WHERE id = 1 RETURNING fence
            """, [holder]).first else { throw PostgresError(.query, "scheduler_leadership has no row") }
        return try row.int64("fence")
    }
}
