import Foundation
import Postgres
import Runtime
import ServiceKit
import Testing

extension Integration {
    /// Data written before a migration that moves it is all there after the upgrade.
    @Suite struct UpgradeTests {
        /// Records stored a row each before the audit trail kept segments become segments, cut
        /// the way the audit-service cuts a message.
        @Test func recordsStoredBeforeTheUpgradeBecomeSegments() async throws {
            let segments = try #require(Schema.migrations.firstIndex { $0.name == "audit-segments" })
            let (message, single, run, other) = (UUID(), UUID(), UUID(), UUID())
            try await Integration.withMigratedDatabase(prefix: "audit", migrations: Array(Schema.migrations[..<segments])) { database in
                try await database.withConnection { connection in
                    for (seq, runID) in [run, run, other, run].enumerated() {
                        try connection.execute("""
                            INSERT INTO audit_log (message_id, seq, tenant, actor, action, subject_type, subject_id, run_id, task_id,
                                                   to_state, details, occurred_at)
                            VALUES ($1, $2, 'acme', 'dependency-resolver', 'task.succeeded', 'task', $3, $4, $3, 'succeeded',
                                    $5::jsonb, '2026-11-23T10:00:00Z'::timestamptz + $2::int * interval '1 second')
                            """, [message, seq, "t\(seq)", runID, #"{"n":"\#(seq)"}"#])
                    }
                    try connection.execute("""
                        INSERT INTO audit_log (message_id, tenant, actor, action, subject_type, subject_id, details, occurred_at)
                        VALUES ($1, 'acme', 'ann', 'workflow.apply', 'workflow', 'flow', '{}', '2026-11-23T09:00:00Z')
                        """, [single])
                }
                try await database.migrate(Schema.migrations)
                let rows = try await database.withConnection { connection in
                    try connection.query("""
                        SELECT s.message_id, s.first_seq + r.place - 1 AS seq, s.run_id, r.action, r."taskID", r.details->>'n' AS n,
                            r."occurredAt"
                        FROM audit_segments s CROSS JOIN LATERAL ROWS FROM (
                            json_to_recordset(s.records) AS (action text, "taskID" text, details json, "occurredAt" timestamptz)
                        ) WITH ORDINALITY AS r(action, "taskID", details, "occurredAt", place)
                        ORDER BY s.id, r.place
                        """).map { row in
                        [try row.uuid("message_id") == message ? "m" : "s", "\(try row.int("seq"))",
                         try row.optionalString("run_id").map { $0 == run.key ? "run" : "other" } ?? "-", try row.string("action"),
                         try row.optionalString("taskID") ?? "-", try row.optionalString("n") ?? "-",
                         Timestamp.format(try row.date("occurredAt"))].joined(separator: " ")
                    }
                }
                #expect(rows == [
                    "m 0 run task.succeeded t0 0 2026-11-23T10:00:00.000Z",
                    "m 1 run task.succeeded t1 1 2026-11-23T10:00:01.000Z",
                    "m 2 other task.succeeded t2 2 2026-11-23T10:00:02.000Z",
                    "m 3 run task.succeeded t3 3 2026-11-23T10:00:03.000Z",
                    "s 0 - workflow.apply - - 2026-11-23T09:00:00.000Z",
                ], "\(rows)")
                let cut = try await database.withConnection { connection in
                    try connection.query("SELECT first_seq FROM audit_segments WHERE message_id = $1 ORDER BY first_seq", [message])
                        .map { try $0.int("first_seq") }
                }
                #expect(cut == [0, 2, 3], "one segment per run of consecutive records about one run")
            }
        }

        /// Leases written before specs had a table of their own keep their specs.
        @Test func specsOfLeasesQueuedBeforeTheUpgradeMoveToTheirTable() async throws {
            let specs = try #require(Schema.migrations.firstIndex { $0.name == "task-specs" })
            let run = UUID()
            try await Integration.withMigratedDatabase(prefix: "specs", migrations: Array(Schema.migrations[..<specs])) { database in
                try await database.withConnection { connection in
                    try connection.execute("""
                        INSERT INTO task_leases (run_id, task_id, tenant, pool, attempt, state, spec)
                        VALUES ($1, 'a', 'acme', 'p', 0, 'queued', '{"command": {"shell": "echo a"}, "taskID": "a"}'),
                               ($1, 'b', 'acme', 'p', 1, 'running', '{"command": {"shell": "echo b"}, "taskID": "b"}')
                        """, [run])
                }
                try await database.migrate(Schema.migrations)
                let moved = try await database.withConnection { connection in
                    try connection.query("""
                        SELECT l.task_id, l.state, s.spec->'command'->>'shell' AS shell FROM task_leases l JOIN task_specs s USING (run_id, task_id)
                        WHERE l.run_id = $1 ORDER BY l.task_id
                        """, [run]).map { "\(try $0.string("task_id")) \(try $0.string("state")) \(try $0.string("shell"))" }
                }
                #expect(moved == ["a queued echo a", "b running echo b"])
                let leaseColumns = try await database.withConnection { connection in
                    try connection.query("SELECT column_name FROM information_schema.columns WHERE table_name = 'task_leases'")
                        .map { try $0.string("column_name") }
                }
                #expect(!leaseColumns.contains("spec"))
            }
        }
    }
}
