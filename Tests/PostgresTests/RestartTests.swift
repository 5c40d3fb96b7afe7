import Foundation
import LocalStack
import Postgres
import Runtime
import Testing

/// Restarts a private cluster (never the shared one other tests use) under a live pool.
@Suite("Server restart")
struct RestartTests {
    @Test func poolRecoversAfterServerRestart() async throws {
        let directory = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
            .appendingPathComponent(".wloadctl/test-pg-restart-\(UInt32.random(in: 0...UInt32.max))")
        let cluster = PostgresCluster(directory: directory, port: try LoopbackPort.free())
        try cluster.start()
        defer {
            try? cluster.stop()
            try? FileManager.default.removeItem(at: directory)
        }
        let client = PostgresClient(configuration: PostgresConfiguration(
            connectionString: cluster.connectionString(database: "postgres"), poolSize: 2),
            logger: Logger(label: "test", level: .error))
        let pid = { @Sendable (connection: PostgresConnection) throws -> Int in
            try connection.query("SELECT pg_backend_pid() AS p")[0].int("p")
        }
        // Open both pooled connections.
        async let first = client.withConnection { connection in
            try connection.query("SELECT pg_sleep(0.05)")
            return try pid(connection)
        }
        async let second = client.withConnection { connection in
            try connection.query("SELECT pg_sleep(0.05)")
            return try pid(connection)
        }
        let before: Set<Int> = [try await first, try await second]
        #expect(before.count == 2)

        try cluster.stop()
        // While the server is down, callers get a retriable connection error, not a hang.
        let down = await #expect(throws: PostgresError.self) { try await client.withConnection(pid) }
        #expect(down?.isRetriable == true)
        try cluster.start()

        for _ in 0..<4 {
            _ = try await client.withConnection(pid)
        }
        let value = try await client.transaction { try $0.query("SELECT 1 AS one")[0].int("one") }
        #expect(value == 1)
        await client.close()
    }
}
