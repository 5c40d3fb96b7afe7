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
    /// Whether a flush wrote a row: only then has the relay anything to publish.
    private(set) var wroteRows = false
    /// Groups being filled, each holding the place in `payloads` its message takes; the open
    /// group of each topic and key takes the next item of its kind and tenant (see `publish(grouped:)`).
    private var groups: [any PendingGroup] = []
    private var openGroups: [TopicKey: any PendingGroup] = [:]

    public init(source: String, spillingTo connection: PostgresConnection? = nil) {
        self.source = source
        spillConnection = connection
    }

    public func publish<Payload: MessagePayload>(_ envelope: Envelope<Payload>, topic: String, key: String) throws {
        // Whatever follows on this topic and key must come after the open group's items.
        openGroups[TopicKey(topic: topic, key: key)] = nil
        let payload = String(decoding: try envelope.encoded(), as: UTF8.self)
        append(topic: topic, key: key, payload: payload, bytes: payload.utf8.count)
        try spillIfLarge()
    }

    /// Convenience: wraps `payload` in a new envelope for `tenant`.
    public func publish<Payload: MessagePayload>(_ payload: Payload, tenant: String, topic: String, key: String) throws {
        try publish(Envelope(tenant: tenant, payload: payload), topic: topic, key: key)
    }

    /// Publishes `item` together with the items of its kind and tenant published just before it
    /// on the same topic and key: they go out as one `MessageGroup` (within its limits), at the
    /// place of the first, so the order on every topic and key is exactly the publish order.
    public func publish<Item: GroupablePayload>(grouped item: Item, tenant: String, topic: String, key: String) throws {
        let topicKey = TopicKey(topic: topic, key: key)
        if let open = openGroups[topicKey] as? Group<Item>, open.tenant == tenant, open.accepts(item) {
            open.items.append(item)
        } else {
            let group = Group<Item>(tenant: tenant, slot: payloads.count, first: item)
            groups.append(group)
            openGroups[topicKey] = group
            append(topic: topic, key: key, payload: "", bytes: 0)
        }
        bytes += item.estimatedBytes
        try spillIfLarge()
    }

    /// Queues an audit record for `Topics.audit`, grouped with the transaction's other records
    /// for the same tenant and key (a transaction that moves hundreds of tasks sends a few
    /// audit messages, not hundreds). Each record keeps its own time.
    public func audit(_ record: AuditRecord, tenant: String, key: String) throws {
        var record = record
        if record.occurredAt == nil { record.occurredAt = Date() }
        try publish(grouped: record, tenant: tenant, topic: Topics.audit, key: key)
    }

    private func append(topic: String, key: String, payload: String, bytes added: Int) {
        topics.append(topic)
        keys.append(key)
        payloads.append(payload)
        bytes += added
    }

    private func spillIfLarge() throws {
        if bytes >= Self.spillBytes, let spillConnection { try flush(spillConnection) }
    }

    /// Encodes every group into the place it holds.
    private func closeGroups() throws {
        for group in groups {
            payloads[group.slot] = try group.encoded()
        }
        groups.removeAll(keepingCapacity: true)
        openGroups.removeAll(keepingCapacity: true)
    }

    /// Runs `action` after the transaction commits: for waking a loop that must see what this
    /// transaction wrote (woken before the commit, it would look and find nothing yet).
    public func onCommit(_ action: @escaping @Sendable () -> Void) {
        afterCommit.append(action)
    }

    /// Writes everything collected so far as one row; called last thing in the transaction (and
    /// on the way, when spilling). Order is kept: rows' ids and positions within a row follow the
    /// order of `publish` calls (a group at the place of its first item). The last flush is
    /// `deferred`: it travels with the COMMIT; a spill is written at once, since it is there to
    /// free memory.
    public func flush(_ connection: PostgresConnection, deferred: Bool = false) throws {
        try closeGroups()
        guard !topics.isEmpty else { return }
        let sql = """
            INSERT INTO outbox (source, messages, bytes, topics, keys, payloads) VALUES ($1, $2, $3, $4::text[], $5::text[], $6::text[])
            """
        let payloadBytes = payloads.reduce(0) { $0 + $1.utf8.count }
        let parameters: [any PostgresBindable] = [source, topics.count, payloadBytes, topics, keys, payloads]
        if deferred {
            try connection.executeDeferred(sql, parameters)
        } else {
            try connection.execute(sql, parameters)
        }
        wroteRows = true
        topics.removeAll(keepingCapacity: true)
        keys.removeAll(keepingCapacity: true)
        payloads.removeAll(keepingCapacity: true)
        bytes = 0
    }
}

private struct TopicKey: Hashable {
    let topic: String
    let key: String
}

/// A group being filled, whatever its item type.
private protocol PendingGroup: AnyObject {
    /// Its place in the outbox's messages.
    var slot: Int { get }
    func encoded() throws -> String
}

private final class Group<Item: GroupablePayload>: PendingGroup {
    let tenant: String
    let slot: Int
    var items: [Item]
    private var bytes: Int

    init(tenant: String, slot: Int, first: Item) {
        self.tenant = tenant
        self.slot = slot
        items = [first]
        bytes = first.estimatedBytes
    }

    /// Whether `item` still fits within the group limits; counts it in if so.
    func accepts(_ item: Item) -> Bool {
        guard MessageLimits.admits(count: items.count, bytes: bytes, adding: item.estimatedBytes) else { return false }
        bytes += item.estimatedBytes
        return true
    }

    func encoded() throws -> String {
        String(decoding: try MessageGroup.envelope(items, tenant: tenant), as: UTF8.self)
    }
}

extension PostgresClient {
    /// A transaction with an outbox: what `body` publishes is written before COMMIT, and the
    /// outbox's `onCommit` actions run after it; `relay` (the outbox relay's signal) is notified
    /// after the commit when the transaction wrote outbox rows, and only then, so a relay is not
    /// woken to find nothing. Retried whole on serialization failures, so `body` must only touch
    /// the database. `spills: false` keeps every message in memory until the end (for a body
    /// that runs under a role that may not write the outbox table).
    public func transaction<T: Sendable>(source: String, spills: Bool = true, relay: WakeSignal? = nil,
                                         _ body: @escaping @Sendable (PostgresConnection, Outbox) throws -> T) async throws -> T {
        let (result, afterCommit, wroteRows) = try await transaction { connection in
            let outbox = Outbox(source: source, spillingTo: spills ? connection : nil)
            let result = try body(connection, outbox)
            try outbox.flush(connection, deferred: true)
            return (result, outbox.afterCommit, outbox.wroteRows)
        }
        if wroteRows { relay?.notify() }
        afterCommit.forEach { $0() }
        return result
    }
}
