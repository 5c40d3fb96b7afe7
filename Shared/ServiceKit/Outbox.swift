import Contracts
import Foundation
import Postgres

/// Collects the messages one transaction emits and writes them to the outbox table inside that
/// same transaction, so state and events commit or vanish together: one row per flush, holding
/// the messages as parallel arrays in publish order (see `Schema.outboxBatches` for why).
/// The relay publishes them afterwards. Not Sendable: it lives inside one transaction closure.
public final class Outbox {
    public let source: String
    /// Where collected messages are written early, once they pass `spillBytes`: a transaction
    /// that publishes a great many (a batch of runs of thousands of tasks each) then holds a
    /// bounded amount in memory. Nil keeps everything until `flush` (API handlers, which write
    /// under a tenant's scope and publish a few).
    private let spillConnection: PostgresConnection?
    static let spillBytes = 1 << 20
    private var topics: [String] = []
    private var keys: [String] = []
    private var payloads: [String] = []
    private var bytes = 0
    /// Run once the transaction has committed (never if it rolls back or is retried).
    private(set) var afterCommit: [@Sendable () -> Void] = []
    /// Audit records waiting to be sent, grouped by (tenant, key) in first-seen order; the index
    /// points at each key's newest group (a full group is followed by a new one, later in order).
    private var audits: [AuditGroup] = []
    private var auditGroupIndex: [AuditGroupKey: Int] = [:]

    private struct AuditGroupKey: Hashable {
        let tenant: String
        let key: String
    }

    private struct AuditGroup {
        let tenant: String
        let key: String
        var records: [AuditRecord]
    }

    /// Rough bytes an audit record takes in memory, for the spill budget.
    static let auditRecordBytes = 512
    /// Records per `AuditRecords` message at most (~100 KiB): well under Kafka's 1 MB message
    /// limit and a consumer's read-ahead, however many tasks one transaction moves (a wide
    /// run readies thousands at once).
    public static let auditRecordsPerMessage = 200

    public init(source: String, spillingTo connection: PostgresConnection? = nil) {
        self.source = source
        spillConnection = connection
    }

    public func publish<Payload: MessagePayload>(_ envelope: Envelope<Payload>, topic: String, key: String) throws {
        topics.append(topic)
        keys.append(key)
        let payload = String(decoding: try envelope.encoded(), as: UTF8.self)
        payloads.append(payload)
        bytes += payload.utf8.count
        if bytes >= Self.spillBytes, let spillConnection { try flush(spillConnection) }
    }

    /// Convenience: wraps `payload` in a new envelope for `tenant`.
    public func publish<Payload: MessagePayload>(_ payload: Payload, tenant: String, topic: String, key: String) throws {
        try publish(Envelope(tenant: tenant, payload: payload), topic: topic, key: key)
    }

    /// Queues an audit record for `Topics.audit`. Records with the same tenant and key go out
    /// together, in order, as one `AuditRecords` message when the outbox is flushed: a
    /// transaction that moves hundreds of tasks sends a few audit messages, not hundreds. Each
    /// record keeps its own time.
    public func audit(_ record: AuditRecord, tenant: String, key: String) throws {
        var record = record
        if record.occurredAt == nil { record.occurredAt = Date() }
        let groupKey = AuditGroupKey(tenant: tenant, key: key)
        if let index = auditGroupIndex[groupKey], audits[index].records.count < Self.auditRecordsPerMessage {
            audits[index].records.append(record)
        } else {
            auditGroupIndex[groupKey] = audits.count
            audits.append(AuditGroup(tenant: tenant, key: key, records: [record]))
        }
        bytes += Self.auditRecordBytes
        if bytes >= Self.spillBytes, let spillConnection { try flush(spillConnection) }
    }

    /// Moves the queued audit records into the outgoing messages, one message per group.
    private func collectAudits() throws {
        for group in audits {
            let payload = String(decoding: try Envelope(tenant: group.tenant, payload: AuditRecords(records: group.records)).encoded(),
                                 as: UTF8.self)
            topics.append(Topics.audit)
            keys.append(group.key)
            payloads.append(payload)
        }
        audits.removeAll(keepingCapacity: true)
        auditGroupIndex.removeAll(keepingCapacity: true)
    }

    /// Runs `action` after the transaction commits: for waking a loop that must see what this
    /// transaction wrote (woken before the commit, it would look and find nothing yet).
    public func onCommit(_ action: @escaping @Sendable () -> Void) {
        afterCommit.append(action)
    }

    /// Writes everything collected so far as one row; called last thing in the transaction (and
    /// on the way, when spilling). Order is kept: rows' ids and positions within a row follow the
    /// order of `publish` calls, and the queued audit messages come after them.
    public func flush(_ connection: PostgresConnection) throws {
        try collectAudits()
        guard !topics.isEmpty else { return }
        try connection.execute("""
            INSERT INTO outbox (source, messages, topics, keys, payloads) VALUES ($1, $2, $3::text[], $4::text[], $5::text[])
            """, [source, topics.count, topics, keys, payloads])
        topics.removeAll(keepingCapacity: true)
        keys.removeAll(keepingCapacity: true)
        payloads.removeAll(keepingCapacity: true)
        bytes = 0
    }
}

extension PostgresClient {
    /// A transaction with an outbox: what `body` publishes is written before COMMIT, and the
    /// outbox's `onCommit` actions run after it. Retried whole on serialization failures, so
    /// `body` must only touch the database. `spills: false` keeps every message in memory until
    /// the end (for a body that runs under a role that may not write the outbox table).
    public func transaction<T: Sendable>(source: String, spills: Bool = true,
                                         _ body: @escaping @Sendable (PostgresConnection, Outbox) throws -> T) async throws -> T {
        let (result, afterCommit) = try await transaction { connection in
            let outbox = Outbox(source: source, spillingTo: spills ? connection : nil)
            let result = try body(connection, outbox)
            try outbox.flush(connection)
            return (result, outbox.afterCommit)
        }
        afterCommit.forEach { $0() }
        return result
    }
}
