import LocalStack
import Postgres
import Runtime
import ServiceKit

extension Integration {
    /// A fresh database of the test cluster with every migration applied, and a one-session
    /// pool on it (so the tests see what one pooled session carries between transactions).
    /// `migrations` stops short of the newest schema, for tests of an upgrade.
    static func withMigratedDatabase(prefix: String, migrations: [Migration] = Schema.migrations,
                                     _ body: (PostgresClient) async throws -> Void) async throws {
        let url = try await TestPostgres.freshDatabase(prefix: prefix)
        let database = PostgresClient(configuration: PostgresConfiguration(connectionString: url, poolSize: 1),
                                      logger: Logger(label: "\(prefix)-tests", level: .warning))
        do {
            try await database.migrate(migrations)
            try await body(database)
        } catch {
            await database.close()
            throw error
        }
        await database.close()
    }
}
