import Postgres
import Testing

@Suite("Migrations")
struct MigrationTests {
    let migrations = [
        Migration(version: 2, name: "add-b", sql: "ALTER TABLE a ADD COLUMN b text; CREATE INDEX a_b ON a (b)"),
        Migration(version: 1, name: "create-a", sql: "CREATE TABLE a (id int PRIMARY KEY)"),
    ]

    @Test func appliesInVersionOrderOnceAndIsIdempotent() async throws {
        try await withClient("migrate") { client in
            try await client.migrate(migrations)
            try await client.migrate(migrations)
            let rows = try await client.withConnection { connection in
                try connection.query("SELECT version, name FROM schema_migrations ORDER BY version")
                    .map { "\(try $0.int("version")):\(try $0.string("name"))" }
            }
            #expect(rows == ["1:create-a", "2:add-b"])
            try await client.migrate(migrations + [Migration(version: 3, name: "c", sql: "ALTER TABLE a ADD COLUMN c int")])
            let columns = try await client.withConnection { connection in
                try connection.query("SELECT column_name FROM information_schema.columns WHERE table_name = 'a' ORDER BY ordinal_position")
                    .map { try $0.string("column_name") }
            }
            #expect(columns == ["id", "b", "c"])
        }
    }

    @Test func renamedAppliedMigrationIsAnError() async throws {
        try await withClient("migname") { client in
            try await client.migrate(migrations)
            let error = await #expect(throws: PostgresError.self) {
                try await client.migrate([Migration(version: 1, name: "renamed", sql: "SELECT 1")])
            }
            #expect(error?.message == "migration 1 was applied as 'create-a' but is now named 'renamed'")
        }
    }

    @Test func failingMigrationIsNamedAndLeavesNothingOfItself() async throws {
        try await withClient("migfail") { client in
            let error = await #expect(throws: PostgresError.self) {
                try await client.migrate(migrations + [Migration(version: 3, name: "bad", sql: "CREATE TABLE z (x int); SELEC 1")])
            }
            #expect(error?.message.hasPrefix("migration 3 'bad' failed:") == true)
            let state = try await client.withConnection { connection in
                (try connection.query("SELECT count(*) AS c FROM schema_migrations")[0].int("c"),
                 try connection.query("SELECT to_regclass('z') IS NULL AS gone")[0].bool("gone"))
            }
            #expect(state.0 == 2)
            #expect(state.1)
        }
    }

    @Test func concurrentMigrateFromTwoClientsIsSafe() async throws {
        let url = try await TestDatabaseURL.fresh("migconc")
        let clients = (0..<4).map { _ in makeClient(url: url) }
        let many = (1...6).map { Migration(version: $0, name: "m\($0)", sql: $0 == 1 ? "CREATE TABLE a (n int)" : "INSERT INTO a VALUES (\($0))") }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for client in clients { group.addTask { try await client.migrate(many) } }
            try await group.waitForAll()
        }
        let rows = try await clients[0].withConnection { connection in
            (try connection.query("SELECT count(*) AS c FROM a")[0].int("c"),
             try connection.query("SELECT count(*) AS c FROM schema_migrations")[0].int("c"))
        }
        #expect(rows.0 == 5)
        #expect(rows.1 == 6)
        for client in clients { await client.close() }
    }

    @Test func duplicateVersionsAreRejected() async throws {
        try await withClient("migdup") { client in
            await #expect(throws: PostgresError.self) {
                try await client.migrate([Migration(version: 1, name: "a", sql: ""), Migration(version: 1, name: "b", sql: "")])
            }
        }
    }
}
