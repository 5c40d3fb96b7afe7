import Contracts
import Foundation
import Synchronization
import Postgres
@testable import ServiceKit
import Testing

extension Integration {
    /// The outbox of a transaction that publishes more than fits its memory budget: it writes
    /// early, inside the transaction, keeps the publish order, and still commits or vanishes
    /// with the transaction's other writes.
    @Suite struct OutboxTests {
        static let count = 3_000
        /// About 1 KiB a message: the batch is about three times the outbox's spill size.
        static let padding = String(repeating: "x", count: 1_000)

        static func publishAll(_ outbox: Outbox) throws {
            for number in 0..<count {
                try outbox.publish(AuditRecord(actor: "test", action: "n\(number)", subjectType: "padding", subjectID: padding),
                                   tenant: "acme", topic: "wl.test", key: "k")
            }
        }

        @Test func aLargeBatchIsWrittenEarlyInOrderAndCommitsWhole() async throws {
            try await Integration.withMigratedDatabase(prefix: "outbox") { database in
                let written = try await database.transaction(source: "test") { connection, outbox in
                    try Self.publishAll(outbox)
                    return try connection.query("SELECT coalesce(sum(messages), 0)::int AS n FROM outbox").first?.int("n") ?? 0
                }
                #expect(written > 0, "messages were written before the end of the transaction")
                #expect(written < Self.count, "the rest waited for the final flush")
                let actions = try await database.withConnection { connection in
                    try connection.query("""
                        SELECT m.payload FROM outbox o CROSS JOIN LATERAL unnest(o.payloads) WITH ORDINALITY AS m(payload, n)
                        WHERE o.source = 'test' ORDER BY o.id, m.n
                        """).map { row in
                        try Envelope<AuditRecord>.decode(Array(try row.string("payload").utf8)).payload.action
                    }
                }
                #expect(actions == (0..<Self.count).map { "n\($0)" }, "every message once, in publish order")
                let rows = try await database.withConnection { connection in
                    try connection.query("SELECT count(*)::int AS n FROM outbox").first?.int("n") ?? 0
                }
                #expect(rows <= 4, "one row per flush (about 3 MiB in 1 MiB spills), not one per message: \(rows)")
            }
        }

        /// A relay batch is bounded in bytes as well as in messages: grouped messages are up to
        /// 64 KiB each, and a batch is held in memory whole until the broker acknowledged it.
        @Test func aRelayBatchTakesRowsUpToItsByteBudget() async throws {
            try await Integration.withMigratedDatabase(prefix: "outbox") { database in
                try await database.transaction(source: "test") { connection, outbox in
                    try Self.publishAll(outbox)
                }
                let sizes = try await database.withConnection { connection in
                    try connection.query("""
                        SELECT bytes, (SELECT sum(octet_length(p))::int FROM unnest(payloads) AS p) AS actual FROM outbox ORDER BY id
                        """).map { (stored: try $0.int("bytes"), actual: try $0.int("actual")) }
                }
                #expect(sizes.count >= 3 && sizes.allSatisfy { $0.stored == $0.actual && $0.stored > 0 }, "\(sizes)")
                func claim(maxMessages: Int, maxBytes: Int) async throws -> (rows: Int, messages: Int) {
                    try await database.withConnection { connection in
                        try connection.execute("BEGIN")
                        defer { _ = try? connection.execute("ROLLBACK") }
                        let batch = try OutboxRelay.claim(connection, source: "test", maxMessages: maxMessages, maxBytes: maxBytes)
                        return (batch.ids.count, batch.messages.count)
                    }
                }
                let first = sizes.first?.stored ?? 0
                #expect(try await claim(maxMessages: 100_000, maxBytes: 1) == (1, try await claim(maxMessages: 1, maxBytes: 1 << 30).messages),
                        "at least one row, however large, by either budget")
                #expect(try await claim(maxMessages: 100_000, maxBytes: first + 1).rows == 2, "the row that crosses the budget is the last")
                #expect(try await claim(maxMessages: 100_000, maxBytes: 1 << 30) == (sizes.count, Self.count), "everything within both")
            }
        }

        @Test func aFailedTransactionLeavesNoneOfItsMessages() async throws {
            struct Abandon: Error {}
            try await Integration.withMigratedDatabase(prefix: "outbox") { database in
                await #expect(throws: Abandon.self) {
                    try await database.transaction(source: "test") { _, outbox in
                        try Self.publishAll(outbox)
                        throw Abandon()
                    }
                }
                let left = try await database.withConnection { connection in
                    try connection.query("SELECT count(*)::int AS n FROM outbox").first?.int("n")
                }
                #expect(left == 0)
            }
        }

        /// Grouping never reorders a topic and key: a single message published between items
        /// closes their group, as does an item of another tenant; other keys group on their own,
        /// each group at the place of its first item.
        @Test func groupsKeepThePublishOrderOfEachTopicAndKey() async throws {
            let run = UUID()
            try await Integration.withMigratedDatabase(prefix: "outbox") { database in
                try await database.transaction(source: "test") { _, outbox in
                    func status(_ task: String) -> TaskStatus { TaskStatus(runID: run, taskID: task, attempt: 1, state: .dispatched) }
                    try outbox.publish(grouped: status("a1"), tenant: "acme", topic: "wl.t", key: "k")
                    try outbox.publish(grouped: status("b1"), tenant: "acme", topic: "wl.t", key: "other")
                    try outbox.publish(grouped: status("a2"), tenant: "acme", topic: "wl.t", key: "k")
                    try outbox.publish(status("single"), tenant: "acme", topic: "wl.t", key: "k")
                    try outbox.publish(grouped: status("a3"), tenant: "acme", topic: "wl.t", key: "k")
                    try outbox.publish(grouped: status("a4"), tenant: "globex", topic: "wl.t", key: "k")
                    try outbox.publish(grouped: status("b2"), tenant: "acme", topic: "wl.t", key: "other")
                }
                let messages = try await database.withConnection { connection in
                    try connection.query("""
                        SELECT m.key, m.payload FROM outbox o CROSS JOIN LATERAL unnest(o.keys, o.payloads) WITH ORDINALITY AS m(key, payload, n)
                        WHERE o.source = 'test' ORDER BY o.id, m.n
                        """).map { row in
                        let items = try Envelope<TaskStatus>.unpack(Array(try row.string("payload").utf8))
                        return "\(try row.string("key")) \(items.first?.tenant ?? "") \(items.map(\.payload.taskID).joined(separator: ","))"
                    }
                }
                #expect(messages == ["k acme a1,a2", "other acme b1,b2", "k acme single", "k acme a3", "k globex a4"])
            }
        }

        /// Rows written one message each before the outbox stored batches are still there after
        /// the upgrade, as one-message batches the relay can read.
        @Test func messagesWrittenBeforeTheUpgradeBecomeOneMessageBatches() async throws {
            let batches = try #require(Schema.migrations.firstIndex { $0.name == "outbox-batches" })
            try await Integration.withMigratedDatabase(prefix: "outbox", migrations: Array(Schema.migrations[..<batches])) { database in
                try await database.withConnection { connection in
                    try connection.execute("""
                        INSERT INTO outbox (source, topic, key, payload) VALUES ('old', 'wl.a', 'k1', '{"n":1}'), ('old', 'wl.b', NULL, '{"n":2}')
                        """)
                }
                try await database.migrate(Schema.migrations)
                let rows = try await database.withConnection { connection in
                    try connection.query("""
                        SELECT o.messages, m.topic, m.key, m.payload FROM outbox o
                        CROSS JOIN LATERAL unnest(o.topics, o.keys, o.payloads) WITH ORDINALITY AS m(topic, key, payload, n)
                        WHERE o.source = 'old' ORDER BY o.id, m.n
                        """).map { "\(try $0.int("messages")) \(try $0.string("topic")) \(try $0.optionalString("key") ?? "-") \(try $0.string("payload"))" }
                }
                #expect(rows == [#"1 wl.a k1 {"n":1}"#, #"1 wl.b - {"n":2}"#])
            }
        }

        /// A transaction's audit records leave as one message per tenant and key, each record in
        /// its place and with its own time.
        @Test func auditRecordsGoOutAsOneMessagePerTenantAndKey() async throws {
            try await Integration.withMigratedDatabase(prefix: "outbox") { database in
                try await database.transaction(source: "test") { _, outbox in
                    for (number, key) in ["a", "b", "a", "a", "b"].enumerated() {
                        try outbox.audit(AuditRecord(actor: "test", action: "n\(number)", subjectType: "run", subjectID: key),
                                         tenant: "acme", key: key)
                    }
                }
                let messages = try await database.withConnection { connection in
                    try connection.query("""
                        SELECT m.topic, m.key, m.payload FROM outbox o
                        CROSS JOIN LATERAL unnest(o.topics, o.keys, o.payloads) WITH ORDINALITY AS m(topic, key, payload, n)
                        WHERE o.source = 'test' ORDER BY o.id, m.n
                        """).map { row in
                        (try row.string("topic"), try row.string("key"),
                         try Envelope<AuditRecord>.unpack(Array(try row.string("payload").utf8)).map(\.payload))
                    }
                }
                #expect(messages.map(\.0) == [Topics.audit, Topics.audit])
                #expect(messages.map(\.1) == ["a", "b"])
                #expect(messages.map { $0.2.map(\.action) } == [["n0", "n2", "n3"], ["n1", "n4"]])
                #expect(messages.allSatisfy { $0.2.allSatisfy { $0.occurredAt != nil } })
            }
        }

        /// However many records one key gets in a transaction, each message stays bounded; the
        /// records keep their order across messages.
        @Test func manyAuditRecordsForOneKeyAreSplitInOrder() async throws {
            let count = MessageGroup<AuditRecord>.maxItems * 2 + 1
            try await Integration.withMigratedDatabase(prefix: "outbox") { database in
                try await database.transaction(source: "test") { _, outbox in
                    for number in 0..<count {
                        try outbox.audit(AuditRecord(actor: "test", action: "n\(number)", subjectType: "run", subjectID: "r"),
                                         tenant: "acme", key: "r")
                    }
                }
                let batches = try await database.withConnection { connection in
                    try connection.query("""
                        SELECT m.payload FROM outbox o CROSS JOIN LATERAL unnest(o.payloads) WITH ORDINALITY AS m(payload, n)
                        WHERE o.source = 'test' ORDER BY o.id, m.n
                        """).map { try Envelope<AuditRecord>.unpack(Array(try $0.string("payload").utf8)).map(\.payload.action) }
                }
                let most = MessageGroup<AuditRecord>.maxItems
                #expect(batches.map(\.count) == [most, most, 1])
                #expect(batches.flatMap { $0 } == (0..<count).map { "n\($0)" })
            }
        }

        /// `onCommit` actions run once the transaction has committed, and never for one that
        /// rolls back: a loop woken by them finds the transaction's rows there.
        @Test func commitActionsRunAfterCommitOnly() async throws {
            struct Abandon: Error {}
            try await Integration.withMigratedDatabase(prefix: "outbox") { database in
                let seen = Mutex<[Int]>([])
                try await database.transaction(source: "test") { connection, outbox in
                    try connection.execute("CREATE TABLE marks (n int)")
                    try connection.execute("INSERT INTO marks VALUES (1)")
                    outbox.onCommit { seen.withLock { $0.append(1) } }
                    #expect(seen.withLock { $0.isEmpty }, "not before the commit")
                }
                await #expect(throws: Abandon.self) {
                    try await database.transaction(source: "test") { _, outbox in
                        outbox.onCommit { seen.withLock { $0.append(2) } }
                        throw Abandon()
                    }
                }
                #expect(seen.withLock { $0 } == [1])
            }
        }
    }
}
