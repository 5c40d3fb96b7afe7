import Foundation
import Postgres
import Runtime
import Testing

@Suite("Connection pool")
struct PoolTests {
    @Test func poolOfTwoServesFiftyConcurrentCallers() async throws {
        try await withClient("pool", poolSize: 2) { client in
            let busy = SharedCounter()
            let pids = try await withThrowingTaskGroup(of: Int.self) { group in
                for index in 0..<50 {
                    group.addTask {
                        try await client.withConnection { connection in
                            busy.increment()
                            defer { busy.decrement() }
                            let row = try connection.query("SELECT pg_backend_pid() AS pid, $1::int AS i, pg_sleep(0.002)", [index])[0]
                            #expect(try row.int("i") == index)
                            return try row.int("pid")
                        }
                    }
                }
                return try await group.reduce(into: Set<Int>()) { $0.insert($1) }
            }
            #expect(pids.count <= 2)
            #expect(busy.peak <= 2)
        }
    }

    @Test func sessionSettingsAreApplied() async throws {
        try await withClient("settings") { client in
            let settings = try await client.withConnection { connection in
                let row = try connection.query("""
                    SELECT current_setting('DateStyle') AS ds, current_setting('TimeZone') AS tz,
                           current_setting('application_name') AS app, current_setting('bytea_output') AS bo,
                           current_setting('jit') AS jit
                    """)[0]
                return try [row.string("ds"), row.string("tz"), row.string("app"), row.string("bo"), row.string("jit")]
            }
            #expect(settings == ["ISO, MDY", "UTC", "wloadctl", "hex", "off"])
        }
    }

    @Test func uriConnectionStringAndUserOptionsAreHonoured() async throws {
        let conninfo = try await TestDatabaseURL.fresh("uri")
        var fields: [String: String] = [:]
        for pair in conninfo.split(separator: " ") {
            let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
            if parts.count == 2 { fields[parts[0]] = parts[1] }
        }
        let host = fields["host"] ?? "", port = fields["port"] ?? "", database = fields["dbname"] ?? ""
        let uri = "postgresql://postgres@\(host):\(port)/\(database)?options=-c%20statement_timeout%3D1234%20-c%20jit%3Don"
        let client = PostgresClient(configuration: PostgresConfiguration(connectionString: uri, applicationName: "uri-test"),
                                    logger: Logger(label: "test", level: .error))
        let settings = try await client.withConnection { connection in
            let row = try connection.query("""
                SELECT current_setting('statement_timeout') AS st, current_setting('TimeZone') AS tz,
                       current_setting('application_name') AS app, current_setting('jit') AS jit
                """)[0]
            return try [row.string("st"), row.string("tz"), row.string("app"), row.string("jit")]
        }
        #expect(settings == ["1234ms", "UTC", "uri-test", "on"], "the caller's options win over the defaults")
        await client.close()
    }

    @Test func brokenConnectionIsReconnectedBeforeNextBorrow() async throws {
        try await withClient("reconnect", poolSize: 1) { client in
            let first = try await client.withConnection { try $0.query("SELECT pg_backend_pid() AS pid")[0].int("pid") }
            try await client.withDedicatedSession { session in
                try await session.run { connection in
                    try connection.query("SELECT pg_terminate_backend($1)", [first])
                }
            }
            try await Task.sleep(for: .milliseconds(100))
            let second = try await client.withConnection { try $0.query("SELECT pg_backend_pid() AS pid")[0].int("pid") }
            #expect(second != first)
        }
    }

    @Test func connectionLostMidTransactionIsRetried() async throws {
        try await withClient("lostmid", poolSize: 1) { client in
            let attempts = SharedCounter()
            let value = try await client.transaction { connection in
                if attempts.increment() == 1 {
                    // The backend kills itself: the statement fails with a lost connection.
                    try connection.query("SELECT pg_terminate_backend(pg_backend_pid())")
                }
                return try connection.query("SELECT 7 AS v")[0].int("v")
            }
            #expect(value == 7)
            #expect(attempts.value == 2)
        }
    }

    @Test func unreachableServerThrowsConnectionError() async throws {
        let client = PostgresClient(
            configuration: PostgresConfiguration(connectionString: "host=127.0.0.1 port=1 user=postgres dbname=x connect_timeout=2", poolSize: 1),
            logger: Logger(label: "test", level: .error))
        let error = await #expect(throws: PostgresError.self) {
            try await client.withConnection { _ in 1 }
        }
        #expect(error?.code == .connection)
        #expect(error?.isRetriable == true)
        // The failed open gives its slot back: the next borrower tries again instead of hanging.
        await #expect(throws: PostgresError.self) { try await client.withConnection { _ in 1 } }
        await client.close()
    }

    @Test func malformedConnectionStringIsAConnectionError() async throws {
        let client = PostgresClient(configuration: PostgresConfiguration(connectionString: "host='unterminated"),
                                    logger: Logger(label: "test", level: .error))
        let error = await #expect(throws: PostgresError.self) { try await client.withConnection { _ in 1 } }
        #expect(error?.code == .connection)
        #expect(error?.message.hasPrefix("invalid connection string") == true)
    }

    @Test func closedClientRejectsBorrowers() async throws {
        let client = try await makeClient("closed", poolSize: 1)
        _ = try await client.withConnection { try $0.query("SELECT 1") }
        await client.close()
        let error = await #expect(throws: PostgresError.self) { try await client.withConnection { _ in 1 } }
        #expect(error?.message == "postgres client is closed")
    }

    @Test func cancelledWaiterLeavesTheQueue() async throws {
        try await withClient("cancel", poolSize: 1) { client in
            let holder = Task { try await client.withConnection { try $0.query("SELECT pg_sleep(0.3)") } }
            try await Task.sleep(for: .milliseconds(50))
            let waiter = Task { try await client.withConnection { _ in 1 } }
            try await Task.sleep(for: .milliseconds(20))
            waiter.cancel()
            await #expect(throws: CancellationError.self) { try await waiter.value }
            _ = try await holder.value
            #expect(try await client.withConnection { _ in 2 } == 2)
        }
    }
}
