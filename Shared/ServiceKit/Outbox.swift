import Contracts
import Postgres

/// Collects the messages one transaction emits and writes them to the outbox table inside that
/// same transaction (one multi-row insert), so state and events commit or vanish together.
/// The relay publishes them afterwards. Not Sendable: it lives inside one transaction closure.
public final class Outbox {
    public let source: String
    private var topics: [String] = []
    private var keys: [String] = []
    private var payloads: [String] = []

    public init(source: String) { self.source = source }

    public var isEmpty: Bool { topics.isEmpty }

    public func publish<Payload: MessagePayload>(_ envelope: Envelope<Payload>, topic: String, key: String) throws {
        topics.append(topic)
        keys.append(key)
        payloads.append(String(decoding: try envelope.encoded(), as: UTF8.self))
    }

    /// Convenience: wraps `payload` in a new envelope for `tenant`.
    public func publish<Payload: MessagePayload>(_ payload: Payload, tenant: String, topic: String, key: String) throws {
        try publish(Envelope(tenant: tenant, payload: payload), topic: topic, key: key)
    }

    /// Writes everything collected so far; call once, last thing in the transaction.
    public func flush(_ connection: PostgresConnection) throws {
        guard !topics.isEmpty else { return }
        try connection.execute("""
            INSERT INTO outbox (source, topic, key, payload)
            SELECT $1, t, k, p FROM unnest($2::text[], $3::text[], $4::text[]) AS x(t, k, p)
            """, [source, topics, keys, payloads])
        topics.removeAll(keepingCapacity: true)
        keys.removeAll(keepingCapacity: true)
        payloads.removeAll(keepingCapacity: true)
    }
}

extension PostgresClient {
    /// A transaction with an outbox: what `body` publishes is written before COMMIT.
    /// Retried whole on serialization failures, so `body` must only touch the database.
    public func transaction<T: Sendable>(source: String, _ body: @escaping @Sendable (PostgresConnection, Outbox) throws -> T) async throws -> T {
        try await transaction { connection in
            let outbox = Outbox(source: source)
            let result = try body(connection, outbox)
            try outbox.flush(connection)
            return result
        }
    }
}
