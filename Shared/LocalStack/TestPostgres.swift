import Foundation

/// The Postgres cluster shared by one test run: started on first use under `.wloadctl/test-pg`
/// (or `WL_TEST_PG_DIR`) and left running for the next test process; each test creates its own
/// database so tests cannot see each other's data.
public enum TestPostgres {
    public static let cluster = PostgresCluster(
        directory: URL(fileURLWithPath: ProcessInfo.processInfo.environment["WL_TEST_PG_DIR"]
            ?? FileManager.default.currentDirectoryPath + "/.wloadctl/test-pg"),
        port: Int(ProcessInfo.processInfo.environment["WL_TEST_PG_PORT"] ?? "") ?? 55432)

    private static let started: Result<Void, any Error> = Result { try cluster.start() }

    /// Starts the cluster if needed and returns a connection string for a fresh database named
    /// after `prefix` plus a random suffix. The setup commands block for seconds, so they run off
    /// the cooperative pool: on two cores, two blocked pool threads would stall every other test.
    public static func freshDatabase(prefix: String) async throws -> String {
        try await Blocking.run {
            try started.get()
            let name = "\(prefix)_\(UInt32.random(in: 0...UInt32.max))".lowercased()
            try cluster.createDatabase(name)
            return cluster.connectionString(database: name)
        }
    }
}
