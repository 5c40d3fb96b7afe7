import Postgres
import Testing

/// `executeDeferred`: writes whose results nobody reads ride along with the next statement (or
/// the COMMIT) in one pipelined round trip, with the same effects and errors as at once.
@Suite("Deferred statements")
struct DeferredStatementTests {
    static func count(_ client: PostgresClient) async throws -> Int {
        try await client.withConnection { try $0.query("SELECT count(*) AS c FROM t")[0].int("c") }
    }

    @Test func deferredWritesCommitInOrderWithTheTransaction() async throws {
        try await withClient("deferorder") { client in
            try await client.withConnection { try $0.executeScript("CREATE TABLE t (n int PRIMARY KEY, v text)") }
            try await client.transaction { connection in
                try connection.executeDeferred("INSERT INTO t VALUES ($1, $2)", [1, "first"])
                try connection.executeDeferred("UPDATE t SET v = $1 WHERE n = 1", ["second"])
                try connection.executeDeferred("INSERT INTO t VALUES ($1, $2)", [2, "other"])
            }
            let rows = try await client.withConnection { connection in
                try connection.query("SELECT n, v FROM t ORDER BY n").map { "\(try $0.int("n")):\(try $0.string("v"))" }
            }
            #expect(rows == ["1:second", "2:other"])
        }
    }

    @Test func aLaterStatementSeesEarlierDeferredWrites() async throws {
        try await withClient("defersee") { client in
            try await client.withConnection { try $0.executeScript("CREATE TABLE t (n int PRIMARY KEY)") }
            let seen = try await client.transaction { connection in
                try connection.executeDeferred("INSERT INTO t VALUES ($1)", [7])
                return try connection.query("SELECT n FROM t").map { try $0.int("n") }
            }
            #expect(seen == [7])
        }
    }

    /// The error belongs to the deferred statement but is thrown where the pipeline is sent; the
    /// transaction rolls back whole and the session is clean for the next borrower.
    @Test func aDeferredErrorIsThrownByTheNextStatementAndRollsBackEverything() async throws {
        try await withClient("defererror", poolSize: 1) { client in
            try await client.withConnection { try $0.executeScript("CREATE TABLE t (n int PRIMARY KEY)") }
            let error = await #expect(throws: PostgresError.self) {
                try await client.transaction { connection in
                    try connection.execute("INSERT INTO t VALUES ($1)", [1])
                    try connection.executeDeferred("INSERT INTO t VALUES ($1)", [1])
                    try connection.executeDeferred("INSERT INTO t VALUES ($1)", [2])
                    try connection.execute("INSERT INTO t VALUES ($1)", [3])
                }
            }
            #expect(error?.code == .uniqueViolation, "the deferred statement's own error, not the skipped ones'")
            #expect(try await Self.count(client) == 0)
            try await client.transaction { try $0.execute("INSERT INTO t VALUES ($1)", [4]) }
            #expect(try await Self.count(client) == 1)
        }
    }

    @Test func aDeferredErrorAtCommitRollsBack() async throws {
        try await withClient("defercommit") { client in
            try await client.withConnection { try $0.executeScript("CREATE TABLE t (n int PRIMARY KEY)") }
            await #expect(throws: PostgresError.self) {
                try await client.transaction { connection in
                    try connection.executeDeferred("INSERT INTO t VALUES ($1)", [1])
                    try connection.executeDeferred("INSERT INTO t VALUES ($1)", [1])
                }
            }
            #expect(try await Self.count(client) == 0)
        }
    }

    /// A body that throws before anything was sent leaves nothing behind: its deferred
    /// statements never run, in this transaction or the session's next one.
    @Test func anAbandonedTransactionDropsItsDeferredStatements() async throws {
        try await withClient("deferdrop", poolSize: 1) { client in
            try await client.withConnection { try $0.executeScript("CREATE TABLE t (n int PRIMARY KEY)") }
            await #expect(throws: Marker.self) {
                try await client.transaction { connection in
                    try connection.executeDeferred("INSERT INTO t VALUES ($1)", [1])
                    throw Marker()
                }
            }
            try await client.transaction { try $0.execute("INSERT INTO t VALUES ($1)", [2]) }
            let rows = try await client.withConnection { try $0.query("SELECT n FROM t").map { try $0.int("n") } }
            #expect(rows == [2])
        }
    }

    @Test func outsideATransactionItRunsAtOnce() async throws {
        try await withClient("defernow") { client in
            try await client.withConnection { connection in
                try connection.executeScript("CREATE TABLE t (n int PRIMARY KEY)")
                try connection.executeDeferred("INSERT INTO t VALUES ($1)", [1])
                #expect(!connection.isInTransaction)
            }
            #expect(try await Self.count(client) == 1)
        }
    }

    /// Megabytes of parameters in one pipeline (the outbox's spills) go through.
    @Test func largeParametersInOnePipeline() async throws {
        try await withClient("deferlarge") { client in
            try await client.withConnection { try $0.executeScript("CREATE TABLE t (n int PRIMARY KEY, v text)") }
            let text = String(repeating: "x", count: 2 << 20)
            try await client.transaction { connection in
                for number in 1...4 {
                    try connection.executeDeferred("INSERT INTO t VALUES ($1, $2)", [number, text])
                }
            }
            let total = try await client.withConnection { try $0.query("SELECT sum(length(v))::bigint AS s FROM t")[0].int("s") }
            #expect(total == 4 * text.utf8.count)
        }
    }

    /// `queries`: several statements in one round trip after the deferred ones, each one's rows
    /// returned in order, later statements seeing earlier ones' writes.
    @Test func queriesReturnEveryStatementsRowsInOrder() async throws {
        try await withClient("queries") { client in
            try await client.withConnection { try $0.executeScript("CREATE TABLE t (n int PRIMARY KEY, v text)") }
            let (updated, series, summary) = try await client.transaction { connection in
                try connection.executeDeferred("INSERT INTO t VALUES ($1, $2)", [1, "one"])
                let results = try connection.queries([
                    ("UPDATE t SET v = $1 WHERE n = 1 RETURNING v", ["uno"]),
                    ("SELECT n FROM generate_series(1, $1::int) AS n", [3]),
                    ("SELECT count(*)::int AS c, max(v) AS v FROM t", []),
                ])
                return (try results[0].map { try $0.string("v") }, try results[1].map { try $0.int("n") },
                        try results[2].map { "\(try $0.int("c")):\(try $0.string("v"))" })
            }
            #expect(updated == ["uno"])
            #expect(series == [1, 2, 3])
            #expect(summary == ["1:uno"])
        }
    }

    /// An error in any of them is thrown, and nothing of the transaction is left.
    @Test func queriesThrowTheFailingStatementsErrorAndRollBack() async throws {
        try await withClient("querieserror", poolSize: 1) { client in
            try await client.withConnection { try $0.executeScript("CREATE TABLE t (n int PRIMARY KEY)") }
            let error = await #expect(throws: PostgresError.self) {
                try await client.transaction { connection in
                    _ = try connection.queries([
                        ("INSERT INTO t VALUES ($1) RETURNING n", [1]),
                        ("INSERT INTO t VALUES ($1) RETURNING n", [1]),
                        ("INSERT INTO t VALUES ($1) RETURNING n", [2]),
                    ])
                }
            }
            #expect(error?.code == .uniqueViolation)
            #expect(try await Self.count(client) == 0)
            #expect(try await client.withConnection { try $0.queries([("SELECT 1 AS one", [])]).map(\.count) } == [1], "the session is clean")
        }
    }
}
