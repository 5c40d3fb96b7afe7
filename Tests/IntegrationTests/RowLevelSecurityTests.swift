import Foundation
import LocalStack
import Postgres
import Runtime
import ServiceKit
import Testing

extension Integration {
    /// The database half of tenant isolation, checked without the services: under the
    /// `wl_tenant` role with `wl.tenant` set, queries with no tenant filter at all see and change
    /// only that tenant's rows; without the setting they fail.
    @Suite struct RowLevelSecurityTests {
        static let scoped = "SET LOCAL ROLE wl_tenant"

        @Test func policiesShowAndAcceptOnlyTheTenantSetForTheTransaction() async throws {
            try await Integration.withMigratedDatabase(prefix: "rls") { database in
                try await Self.seed(database)
                let seen = try await database.transaction { connection in
                    try connection.executeScript(Self.scoped)
                    try connection.execute("SELECT set_config('wl.tenant', 'bravo', true)")
                    return try ["runs", "workflows", "audit_segments", "alert_routes", "api_tokens", "tenants"].map { table in
                        try connection.query("SELECT DISTINCT \(table == "tenants" ? "name" : "tenant") AS owner FROM \(table)").map { try $0.string("owner") }
                    }
                }
                #expect(seen.allSatisfy { $0 == ["bravo"] }, "\(seen)")
                let resources = try await database.transaction { connection in
                    try TenantScope.enter("bravo", connection)
                    return try connection.query("SELECT id FROM resources ORDER BY id").map { try $0.string("id") }
                }
                #expect(resources == ["agent-1", "bravo-db"], "own resources and the platform's shared agents")

                let changed = try await database.transaction { connection in
                    try TenantScope.enter("bravo", connection)
                    return try connection.execute("UPDATE runs SET state = 'cancelled'") + connection.execute("DELETE FROM audit_segments")
                        + connection.execute("UPDATE resources SET host = 'x' WHERE tenant = 'platform'")
                }
                #expect(changed == 2, "bravo's run and audit record, and none of the platform's resources")
                let untouched = try await database.withConnection { connection in
                    try connection.query("SELECT count(*)::int AS n FROM runs WHERE tenant = 'alpha' AND state = 'succeeded'").first?.int("n")
                }
                #expect(untouched == 1, "alpha's run is as it was")

                let refused = await Self.error {
                    try await database.transaction { connection in
                        try TenantScope.enter("bravo", connection)
                        try connection.execute("INSERT INTO calendars (tenant, name, dates, updated_by) VALUES ('alpha', 'c', '{}', 'x')")
                    }
                }
                #expect(refused?.sqlState == "42501" && refused?.message.contains("row-level security") == true, "\(String(describing: refused))")
                let moved = await Self.error {
                    try await database.transaction { connection in
                        try TenantScope.enter("bravo", connection)
                        try connection.execute("UPDATE workflows SET tenant = 'alpha'")
                    }
                }
                #expect(moved?.sqlState == "42501", "a row cannot be handed to another tenant: \(String(describing: moved))")
            }
        }

        @Test func aScopeWithoutTheTenantSettingFailsAndTheOutboxIsOutOfReach() async throws {
            try await Integration.withMigratedDatabase(prefix: "rls") { database in
                try await Self.seed(database)
                let unset = await Self.error {
                    try await database.transaction { connection in
                        try connection.executeScript(Self.scoped)
                        _ = try connection.query("SELECT * FROM runs")
                    }
                }
                #expect(unset?.sqlState == "42501" && unset?.message.contains("wl.tenant") == true, "\(String(describing: unset))")
                // The pool has one session: it ran a scoped transaction, so Postgres now keeps an
                // empty `wl.tenant` for it, and a forgotten setting must still fail, not match ''.
                _ = try await database.transaction { connection in try TenantScope.enter("bravo", connection) }
                let emptied = await Self.error {
                    try await database.transaction { connection in
                        try connection.executeScript(Self.scoped)
                        _ = try connection.query("SELECT * FROM workflows")
                    }
                }
                #expect(emptied?.sqlState == "42501", "\(String(describing: emptied))")
                let outbox = await Self.error {
                    try await database.transaction { connection in
                        try TenantScope.enter("bravo", connection)
                        _ = try connection.query("SELECT * FROM outbox")
                    }
                }
                #expect(outbox?.message.contains("permission denied") == true, "\(String(describing: outbox))")
                let owner = try await database.withConnection { connection in
                    try connection.query("SELECT count(*)::int AS n FROM runs").first?.int("n")
                }
                #expect(owner == 2, "the owner (services' own loops) still sees every tenant")
            }
        }

        @Test func everyTableWithATenantColumnHasRowLevelSecurity() async throws {
            try await Integration.withMigratedDatabase(prefix: "rls") { database in
                let unprotected = try await database.withConnection { connection in
                    try connection.query("""
                        SELECT c.relname FROM information_schema.columns col
                        JOIN pg_class c ON c.relname = col.table_name AND c.relkind = 'r'
                        JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = col.table_schema
                        WHERE col.table_schema = current_schema() AND col.column_name = 'tenant'
                          AND (NOT c.relrowsecurity OR NOT EXISTS (SELECT 1 FROM pg_policy p WHERE p.polrelid = c.oid))
                        ORDER BY 1
                        """).map { try $0.string("relname") }
                }
                #expect(unprotected.isEmpty, "tables with a tenant column but no row-level security: \(unprotected)")
            }
        }

        @Test func databasesOfOneClusterMigrateAtTheSameTimeThoughTheRoleIsShared() async throws {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<3 {
                    group.addTask { try await Integration.withMigratedDatabase(prefix: "rls") { _ in } }
                }
                try await group.waitForAll()
            }
        }

        // MARK: - Helpers

        /// Two tenants' rows in the tables the tests read, written as the owner.
        static func seed(_ database: PostgresClient) async throws {
            try await database.transaction { connection in
                for tenant in ["alpha", "bravo"] {
                    try connection.execute("INSERT INTO tenants (name) VALUES ($1)", [tenant])
                    try connection.execute("""
                        INSERT INTO workflows (tenant, name, version, definition, definition_sha256, created_by)
                        VALUES ($1, 'flow', 1, '{}', 'x', 'test')
                        """, [tenant])
                    try connection.execute("""
                        INSERT INTO runs (id, tenant, workflow, workflow_version, state, parameters, logical_time, tasks_total, tasks_open)
                        VALUES ($1, $2, 'flow', 1, 'succeeded', '{}', now(), 1, 0)
                        """, [UUID(), tenant])
                    try connection.execute("""
                        INSERT INTO audit_segments (message_id, first_seq, tenant, occurred_at, records)
                        VALUES ($1, 0, $2, now(), '[{"actor":"test","action":"workflow.apply","subjectType":"workflow","subjectID":"flow","details":{}}]')
                        """, [UUID(), tenant])
                    try connection.execute("INSERT INTO alert_routes (tenant, webhook_url) VALUES ($1, 'http://127.0.0.1:9/')", [tenant])
                    try connection.execute("INSERT INTO api_tokens (token_sha256, name, tenant, role) VALUES ($1, 'admin', $2, 'admin')",
                                           [UUID().uuidString, tenant])
                    try connection.execute("""
                        INSERT INTO resources (id, class, tenant, host, last_seen) VALUES ($1, 'database', $2, 'h', now())
                        """, ["\(tenant)-db", tenant])
                }
                try connection.execute("INSERT INTO resources (id, class, tenant, host, last_seen) VALUES ('agent-1', 'agent', 'platform', 'h', now())")
            }
        }

        /// The Postgres error `body` throws, or nil when it succeeds.
        static func error(_ body: () async throws -> Void) async -> PostgresError? {
            do {
                try await body()
                return nil
            } catch let error as PostgresError {
                return error
            } catch {
                return PostgresError(.query, "not a Postgres error: \(error)")
            }
        }
    }
}
