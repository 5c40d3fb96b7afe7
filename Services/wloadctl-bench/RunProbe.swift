import Contracts
import Foundation
import Postgres

/// Latency percentiles in milliseconds.
struct Percentiles: Codable, Sendable {
    var count: Int
    var p50: Double
    var p95: Double
    var p99: Double
    var max: Double

    static let none = Percentiles(count: 0, p50: 0, p95: 0, p99: 0, max: 0)

    /// From samples already in milliseconds (nearest-rank).
    init(samples: [Double]) {
        let sorted = samples.sorted()
        func rank(_ q: Double) -> Double {
            guard !sorted.isEmpty else { return 0 }
            let index = Int((q * Double(sorted.count)).rounded(.up)) - 1
            return sorted[min(sorted.count - 1, Swift.max(0, index))]
        }
        self.init(count: sorted.count, p50: rank(0.5), p95: rank(0.95), p99: rank(0.99), max: sorted.last ?? 0)
    }

    init(count: Int, p50: Double, p95: Double, p99: Double, max: Double) {
        self.count = count
        self.p50 = p50
        self.p95 = p95
        self.p99 = p99
        self.max = max
    }
}

/// What the benchmark reads from the platform's database: how far runs are, whether every task
/// succeeded exactly once, and the timestamps the latencies come from (`task_leases`: queued,
/// dispatched, and the agent's started and finished times).
struct RunProbe: Sendable {
    let database: PostgresClient

    struct Progress: Sendable {
        var ended = 0
        var unsuccessful = 0
        var tasksEnded = 0
        var lastFinished: Date?
    }

    func progress(_ runs: [UUID]) async throws -> Progress {
        let ids = runs.map(\.key)
        return try await database.withConnection { connection in
            guard let row = try connection.query("""
                SELECT count(*) FILTER (WHERE state IN ('succeeded', 'failed', 'cancelled')) AS ended,
                       count(*) FILTER (WHERE state IN ('failed', 'cancelled')) AS unsuccessful,
                       COALESCE(sum(tasks_total - tasks_open), 0)::bigint AS tasks_ended, max(finished_at) AS last_finished
                FROM runs WHERE id = ANY($1::uuid[])
                """, [ids]).first else { return Progress() }
            return Progress(ended: try row.int("ended"), unsuccessful: try row.int("unsuccessful"),
                            tasksEnded: try row.int("tasks_ended"), lastFinished: try row.optionalDate("last_finished"))
        }
    }

    struct Stalled: Error, CustomStringConvertible {
        let description: String
    }

    /// Waits until every run ended; returns when the last one finished. Prints progress every
    /// five seconds.
    func waitForRuns(_ runs: [UUID], tasks: Int, label: String, timeout: Duration) async throws -> Date {
        let clock = ContinuousClock()
        let start = clock.now
        var lastPrint = start
        while true {
            let progress = try await progress(runs)
            if progress.ended == runs.count, let last = progress.lastFinished { return last }
            if clock.now - lastPrint >= .seconds(5) {
                lastPrint = clock.now
                let seconds = (clock.now - start).inSeconds
                Console.line(String(format: "  %@: %d/%d tasks ended, %d/%d runs, %.0f s", label, progress.tasksEnded, tasks,
                                    progress.ended, runs.count, seconds))
            }
            guard clock.now - start < timeout else {
                throw Stalled(description: "\(label): only \(progress.ended) of \(runs.count) runs and \(progress.tasksEnded) of \(tasks) "
                    + "tasks ended within \(timeout) (BENCH_TIMEOUT)")
            }
            try await Task.sleep(for: .milliseconds(250))
        }
    }

    struct Verification: Codable, Sendable {
        var runs: Int
        var runsSucceeded: Int
        var tasks: Int
        var tasksSucceeded: Int
        /// Tasks that needed more than one attempt (none should, nothing was killed).
        var tasksRetried: Int
        var allSucceeded: Bool { runs == runsSucceeded && tasks == tasksSucceeded && tasksRetried == 0 }
    }

    /// Every run succeeded, and every task succeeded on its first and only attempt.
    func verify(_ runs: [UUID], tasks: Int) async throws -> Verification {
        let ids = runs.map(\.key)
        return try await database.withConnection { connection in
            let succeededRuns = try connection.query("SELECT count(*) AS n FROM runs WHERE id = ANY($1::uuid[]) AND state = 'succeeded'",
                                                     [ids]).first?.int("n") ?? 0
            let row = try connection.query("""
                SELECT count(*) FILTER (WHERE state = 'succeeded') AS succeeded, count(*) FILTER (WHERE attempt > 1) AS retried
                FROM task_instances WHERE run_id = ANY($1::uuid[])
                """, [ids]).first
            return Verification(runs: runs.count, runsSucceeded: succeededRuns, tasks: tasks,
                                tasksSucceeded: try row?.int("succeeded") ?? 0, tasksRetried: try row?.int("retried") ?? 0)
        }
    }

    /// Queued → dispatched: the scheduling decision, for every task of `runs`.
    func decisionLatency(_ runs: [UUID]) async throws -> Percentiles {
        try await percentiles("""
            SELECT extract(epoch FROM dispatched_at - queued_at) * 1000 AS ms FROM task_leases WHERE run_id = ANY($1::uuid[])
            """, runs)
    }

    /// Run created → each task dispatched: for runs whose tasks are all ready when the resolver
    /// creates the run (no dependencies), the wait from ready, including the way from the
    /// resolver into the dispatcher's queue that `decisionLatency` leaves out.
    func readyLatency(_ runs: [UUID]) async throws -> Percentiles {
        try await percentiles("""
            SELECT extract(epoch FROM l.dispatched_at - r.created_at) * 1000 AS ms
            FROM task_leases l JOIN runs r ON r.id = l.run_id WHERE l.run_id = ANY($1::uuid[])
            """, runs)
    }

    /// Upstream finished (the agent's report) → downstream dispatched, over the chain workflow's
    /// edges (`s<k>` → `s<k+1>`).
    func downstreamLatency(_ runs: [UUID]) async throws -> Percentiles {
        try await percentiles("""
            SELECT extract(epoch FROM d.dispatched_at - u.finished_at) * 1000 AS ms
            FROM task_leases u JOIN task_leases d ON d.run_id = u.run_id AND d.task_id = 's' || (substr(u.task_id, 2)::int + 1)
            WHERE u.run_id = ANY($1::uuid[])
            """, runs)
    }

    /// When each run's first task was reported started by its agent.
    func firstStarted(_ runs: [UUID]) async throws -> [UUID: Date] {
        let ids = runs.map(\.key)
        return try await database.withConnection { connection in
            var result: [UUID: Date] = [:]
            for row in try connection.query("""
                SELECT run_id, min(started_at) AS first FROM task_leases WHERE run_id = ANY($1::uuid[]) GROUP BY run_id
                """, [ids]) {
                if let first = try row.optionalDate("first") { result[try row.uuid("run_id")] = first }
            }
            return result
        }
    }

    /// Rows inserted, updated and deleted in the database so far (Postgres's statistics; read
    /// after a pause so backends have flushed theirs).
    func rowsWritten() async throws -> Int64 {
        try await database.withConnection { connection in
            _ = try connection.query("SELECT pg_stat_clear_snapshot()")
            return try connection.query("""
                SELECT (tup_inserted + tup_updated + tup_deleted)::bigint AS n FROM pg_stat_database WHERE datname = current_database()
                """).first?.int64("n") ?? 0
        }
    }

    private func percentiles(_ sql: String, _ runs: [UUID]) async throws -> Percentiles {
        let ids = runs.map(\.key)
        let samples = try await database.withConnection { connection in
            try connection.query(sql, [ids]).compactMap { try $0.optionalDouble("ms") }
        }
        return Percentiles(samples: samples)
    }
}
