import Postgres
import Testing

@Suite("Dedicated sessions")
struct SessionTests {
    @Sendable static func tryLock(_ session: PostgresSession) async throws -> Bool {
        try await session.run { try $0.query("SELECT pg_try_advisory_lock($1) AS ok", [Int64(4242)])[0].bool("ok") }
    }

    @Test func advisoryLockHeldBySessionBlocksOthersUntilReleased() async throws {
        try await withClient("advisory") { client in
            try await client.withDedicatedSession { leader in
                let leaderGot = try await Self.tryLock(leader); #expect(leaderGot)
                // The lock is session-scoped: pooled transactions in between do not affect it.
                _ = try await client.transaction { try $0.query("SELECT 1") }
                try await client.withDedicatedSession { standby in
                    let standbyGotNot = try await Self.tryLock(standby); #expect(standbyGotNot == false)
                    _ = try await leader.run { try $0.query("SELECT pg_advisory_unlock($1)", [Int64(4242)]) }
                    let standbyGot = try await Self.tryLock(standby); #expect(standbyGot)
                }
            }
            // Closing a session releases its locks.
            try await client.withDedicatedSession { leader in
                let leaderGot = try await Self.tryLock(leader); #expect(leaderGot)
            }
            try await client.withDedicatedSession { other in
                let otherGot = try await Self.tryLock(other); #expect(otherGot)
            }
        }
    }

    @Test func lostSessionReportsInsteadOfReconnecting() async throws {
        try await withClient("lostsession") { client in
            try await client.withDedicatedSession { session in
                let pid = try await session.run { try $0.query("SELECT pg_backend_pid() AS p")[0].int("p") }
                _ = try await client.withConnection { try $0.query("SELECT pg_terminate_backend($1)", [pid]) }
                try await Task.sleep(for: .milliseconds(50))
                let first = await #expect(throws: PostgresError.self) { try await session.run { try $0.query("SELECT 1") } }
                #expect(first?.code == .connection)
                let second = await #expect(throws: PostgresError.self) { try await session.run { try $0.query("SELECT 1") } }
                #expect(second?.code == .connection)
            }
        }
    }

    @Test func transactionMaySpanSeveralRunCalls() async throws {
        try await withClient("spantx") { client in
            try await client.withConnection { try $0.executeScript("CREATE TABLE t (n int)") }
            try await client.withDedicatedSession { session in
                try await session.run { try $0.executeScript("BEGIN; INSERT INTO t VALUES (1)") }
                let visibleOutside = try await client.withConnection { try $0.query("SELECT count(*) AS c FROM t")[0].int("c") }
                #expect(visibleOutside == 0)
                let open = try await session.run { $0.isInTransaction }
                #expect(open)
                try await session.run { try $0.executeScript("COMMIT") }
            }
            let committed = try await client.withConnection { try $0.query("SELECT count(*) AS c FROM t")[0].int("c") }
            #expect(committed == 1)
        }
    }
}
