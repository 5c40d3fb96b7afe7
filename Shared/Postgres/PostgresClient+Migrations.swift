/// One schema change, identified by `version`; `name` guards against a version number reused
/// for different SQL.
public struct Migration: Sendable {
    public let version: Int
    public let name: String
    /// One or more statements, run in a transaction: no BEGIN/COMMIT, nothing that refuses to run
    /// in a transaction block (CREATE INDEX CONCURRENTLY).
    public let sql: String

    public init(version: Int, name: String, sql: String) {
        self.version = version
        self.name = name
        self.sql = sql
    }
}

extension PostgresClient {
    /// Transaction-scoped advisory lock key serialising migrations across processes
    /// (the bytes of "wlmigrat").
    static let migrationLockKey: Int64 = 0x776c_6d69_6772_6174

    /// Applies migrations once, in version order, under pg_advisory_xact_lock, recording them in table schema_migrations(version int primary key, name text, applied_at timestamptz). Already-applied versions are skipped; a changed name for an applied version is an error. Safe when many processes start at once.
    ///
    /// Every migration runs in its own transaction that holds the lock, so a failure leaves the
    /// earlier ones applied and names the one that failed. All names are checked before anything
    /// is applied. Versions in the table but not in `migrations` (a newer build ran) are left alone.
    public func migrate(_ migrations: [Migration]) async throws {
        let ordered = migrations.sorted { $0.version < $1.version }
        for (previous, next) in zip(ordered, ordered.dropFirst()) where previous.version == next.version {
            throw PostgresError(.query, "migration version \(next.version) is listed twice ('\(previous.name)', '\(next.name)')")
        }
        if let bad = ordered.first(where: { Int32(exactly: $0.version) == nil }) {
            throw PostgresError(.query, "migration version \(bad.version) does not fit the int column")
        }
        let applied = try await transaction { connection in
            try Self.lockMigrations(connection)
            return try Self.appliedMigrations(connection)
        }
        try Self.checkNames(ordered, applied: applied)
        for migration in ordered where applied[migration.version] == nil {
            let didApply = try await transaction { connection in
                try Self.lockMigrations(connection)
                // Another process may have applied it after our first look.
                let current = try Self.appliedMigrations(connection)
                try Self.checkNames([migration], applied: current)
                if current[migration.version] != nil { return false }
                do {
                    try connection.executeScript(migration.sql)
                } catch let error as PostgresError {
                    throw PostgresError(error.code, "migration \(migration.version) '\(migration.name)' failed: \(error.message)",
                                        sqlState: error.sqlState, detail: error.detail, constraint: error.constraint)
                }
                try connection.execute("INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, now())",
                                       [migration.version, migration.name])
                return true
            }
            if didApply {
                logger.info("applied migration", ["migration.version": "\(migration.version)", "migration.name": migration.name])
            }
        }
    }

    private static func lockMigrations(_ connection: PostgresConnection) throws(PostgresError) {
        try connection.execute("SELECT pg_advisory_xact_lock($1)", [migrationLockKey])
        try connection.executeScript("""
            CREATE TABLE IF NOT EXISTS schema_migrations (
                version int PRIMARY KEY,
                name text NOT NULL,
                applied_at timestamptz NOT NULL DEFAULT now()
            )
            """)
    }

    private static func appliedMigrations(_ connection: PostgresConnection) throws(PostgresError) -> [Int: String] {
        var applied: [Int: String] = [:]
        for row in try connection.query("SELECT version, name FROM schema_migrations") {
            applied[try row.int("version")] = try row.string("name")
        }
        return applied
    }

    private static func checkNames(_ migrations: [Migration], applied: [Int: String]) throws(PostgresError) {
        for migration in migrations {
            if let name = applied[migration.version], name != migration.name {
                throw PostgresError(.query, "migration \(migration.version) was applied as '\(name)' but is now named '\(migration.name)'")
            }
        }
    }
}
