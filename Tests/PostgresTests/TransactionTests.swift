import Postgres
import Testing

@Suite("Transactions")
struct TransactionTests {
    @Test func commitMakesAllStatementsVisible() async throws {
        try await withClient("txcommit") { client in
            try await client.withConnection { try $0.executeScript("CREATE TABLE t (n int)") }
            try await client.transaction { connection in
                try connection.execute("INSERT INTO t VALUES ($1)", [1])
                try connection.execute("INSERT INTO t VALUES ($1)", [2])
            }
            let count = try await client.withConnection { try $0.query("SELECT count(*) AS c FROM t")[0].int("c") }
            #expect(count == 2)
        }
    }

    @Test func throwingBodyRollsBackEverything() async throws {
        try await withClient("txrollback") { client in
            try await client.withConnection { try $0.executeScript("CREATE TABLE t (n int)") }
            await #expect(throws: Marker.self) {
                try await client.transaction { connection in
                    try connection.execute("INSERT INTO t VALUES ($1)", [1])
                    throw Marker()
                }
            }
            let state = try await client.withConnection { connection in
                (try connection.query("SELECT count(*) AS c FROM t")[0].int("c"), connection.isInTransaction)
            }
            #expect(state.0 == 0)
            #expect(state.1 == false)
        }
    }

    @Test func failedStatementRollsBackEarlierOnes() async throws {
        try await withClient("txfail") { client in
            try await client.withConnection { try $0.executeScript("CREATE TABLE t (n int PRIMARY KEY)") }
            let error = await #expect(throws: PostgresError.self) {
                try await client.transaction { connection in
                    try connection.execute("INSERT INTO t VALUES ($1)", [1])
                    try connection.execute("INSERT INTO t VALUES ($1)", [1])
                }
            }
            #expect(error?.code == .uniqueViolation)
            #expect(error?.sqlState == "23505")
            #expect(error?.constraint == "t_pkey")
            let count = try await client.withConnection { try $0.query("SELECT count(*) AS c FROM t")[0].int("c") }
            #expect(count == 0)
        }
    }

    @Test func caughtErrorInsideTransactionStillRollsBack() async throws {
        try await withClient("txcaught") { client in
            try await client.withConnection { try $0.executeScript("CREATE TABLE t (n int PRIMARY KEY)") }
            await #expect(throws: PostgresError.self) {
                try await client.transaction { connection in
                    try connection.execute("INSERT INTO t VALUES (1)")
                    _ = try? connection.execute("INSERT INTO t VALUES (1)")
                }
            }
            let count = try await client.withConnection { try $0.query("SELECT count(*) AS c FROM t")[0].int("c") }
            #expect(count == 0)
        }
    }

    @Test func serializationFailureIsRetried() async throws {
        try await withClient("txretry") { client in
            let attempts = SharedCounter()
            let value = try await client.transaction { connection in
                if attempts.increment() == 1 {
                    try connection.execute("DO $$ BEGIN RAISE EXCEPTION USING ERRCODE = '40001', MESSAGE = 'boom'; END $$")
                }
                return try connection.query("SELECT 42 AS v")[0].int("v")
            }
            #expect(value == 42)
            #expect(attempts.value == 2)
        }
    }

    @Test func deadlockMapsAndGivesUpAfterThreeRetries() async throws {
        try await withClient("txdeadlock") { client in
            let attempts = SharedCounter()
            let error = await #expect(throws: PostgresError.self) {
                try await client.transaction { connection in
                    attempts.increment()
                    try connection.execute("DO $$ BEGIN RAISE EXCEPTION USING ERRCODE = '40P01', MESSAGE = 'dl'; END $$")
                }
            }
            #expect(error?.code == .deadlock)
            #expect(error?.isRetriable == true)
            #expect(attempts.value == 4)
        }
    }

    @Test func leftOpenTransactionIsRolledBackOnReturn() async throws {
        try await withClient("txleft", poolSize: 1) { client in
            try await client.withConnection { try $0.executeScript("CREATE TABLE t (n int)") }
            try await client.withConnection { connection in
                try connection.executeScript("BEGIN; INSERT INTO t VALUES (1)")
            }
            let count = try await client.withConnection { try $0.query("SELECT count(*) AS c FROM t")[0].int("c") }
            #expect(count == 0)
        }
    }

    @Test func serializableIsolationIsApplied() async throws {
        try await withClient("txiso") { client in
            let level = try await client.transaction(isolation: .serializable) { connection in
                try connection.query("SHOW transaction_isolation")[0].string("transaction_isolation")
            }
            #expect(level == "serializable")
        }
    }
}
