import Runtime

/// A payload that may travel several to a message. What one transaction (or one agent batch)
/// sends one after another on the same topic, key and tenant goes out as one `MessageGroup`:
/// a scheduling pass that dispatches 200 tasks of a run tells the resolver so in one message,
/// not 200, and every consumer pays its per-message costs (parsing, the processed-message row,
/// the broker round trips) once. The items keep their order; consumers unpack a group into
/// envelopes of its items (`Envelope.unpack`), so handlers see single items either way.
public protocol GroupablePayload: MessagePayload {
    /// Roughly how many bytes the item takes as JSON, at least: groups are closed well below
    /// Kafka's message size limit by this measure (`MessageGroup.maxBytes`).
    var estimatedBytes: Int { get }
}

extension GroupablePayload {
    /// The type name of a group of these: the item's type followed by `[]` (`task.status[]`).
    public static var groupType: String { type + "[]" }
}

/// Several payloads of one kind in one envelope, in order. A group of one is never sent: a single
/// item travels as the plain message, which every reader understands.
public struct MessageGroup<Item: GroupablePayload>: MessagePayload {
    public static var type: String { Item.groupType }
    public static var version: Int { Item.version }
    public static var maxItems: Int { MessageLimits.items }
    public static var maxBytes: Int { MessageLimits.bytes }

    public var items: [Item]

    public init(items: [Item]) { self.items = items }

    /// The message for `items`: the plain envelope for one, a group for more.
    public static func envelope(_ items: [Item], tenant: String) throws -> [UInt8] {
        if items.count == 1, let item = items.first {
            return try Envelope(tenant: tenant, payload: item).encoded()
        }
        return try Envelope(tenant: tenant, payload: MessageGroup(items: items)).encoded()
    }

    /// `items` cut into groups within the limits, in order.
    public static func chunks(_ items: [Item]) -> [[Item]] {
        items.chunked(size: \.estimatedBytes)
    }
}

extension Array {
    /// The array cut into consecutive pieces of at most `maxItems` elements and `maxBytes` by
    /// `size` (an element larger than that alone makes a piece of its own), in order; by default
    /// within what one message may carry (`MessageLimits`).
    public func chunked(maxItems: Int = MessageLimits.items, maxBytes: Int = MessageLimits.bytes, size: (Element) -> Int) -> [[Element]] {
        var chunks: [[Element]] = []
        var current: [Element] = []
        var bytes = 0
        for element in self {
            let elementBytes = size(element)
            if !current.isEmpty, !MessageLimits.admits(count: current.count, bytes: bytes, adding: elementBytes,
                                                        maxItems: maxItems, maxBytes: maxBytes) {
                chunks.append(current)
                current = []
                bytes = 0
            }
            current.append(element)
            bytes += elementBytes
        }
        if !current.isEmpty { chunks.append(current) }
        return chunks
    }
}

/// How much one message that carries many items (a `MessageGroup`, `TaskDispatches`) may hold:
/// items at most, and estimated bytes. 64 KiB stays below Kafka's 1 MB default message limit
/// even if every character were escaped as six bytes of JSON, and bounded messages keep
/// consumers' batches and memory bounded too.
public enum MessageLimits {
    public static let items = 200
    public static let bytes = 64 << 10

    /// Whether a piece holding `count` elements of `bytes` may take one more of `adding` bytes:
    /// the one rule for cutting a list at once (`chunked`) and for filling a group one item at a
    /// time (the outbox).
    public static func admits(count: Int, bytes: Int, adding: Int, maxItems: Int = items, maxBytes: Int = Self.bytes) -> Bool {
        count < maxItems && bytes + adding <= maxBytes
    }
}

extension EnvelopeHeader {
    /// The type of the items the message carries: its own type, or for a group its items' type.
    /// Consumers route by it, so a group and single messages of one kind are handled alike.
    public var itemType: String {
        type.hasSuffix("[]") ? String(type.dropLast(2)) : type
    }
}

extension Envelope where Payload: GroupablePayload {
    /// The items `bytes` carries as envelopes of their own, whether it is a single message or a
    /// group: a group's items share its id, tenant and time (consumers that need one id per item
    /// use the id with the item's place, as the audit log does).
    public static func unpack(_ bytes: [UInt8]) throws -> [Envelope<Payload>] {
        let parsed: WireParsed
        let header: EnvelopeHeader
        do {
            parsed = try WireParsed(bytes)
            header = try parsed.decode(EnvelopeHeader.self)
        } catch {
            throw MessageError("undecodable \(Payload.type) message: \(WireCoding.describe(error))")
        }
        return try unpack(parsed, header: header)
    }

    /// As `unpack(_:)`, for a message parsed already and whose header was read from that parse.
    public static func unpack(_ parsed: WireParsed, header: EnvelopeHeader) throws -> [Envelope<Payload>] {
        guard header.type == MessageGroup<Payload>.type else { return [try decode(parsed)] }
        let group = try Envelope<MessageGroup<Payload>>.decode(parsed)
        return group.payload.items.map { Envelope(id: group.id, tenant: group.tenant, occurredAt: group.occurredAt, payload: $0) }
    }
}

// MARK: - Sizes of the payloads that travel in groups

extension Collection where Element == String {
    fileprivate var textBytes: Int { reduce(0) { $0 + $1.utf8.count + 4 } }
}

extension Dictionary where Key == String, Value == String {
    fileprivate var textBytes: Int { reduce(0) { $0 + $1.key.utf8.count + $1.value.utf8.count + 6 } }
}

extension TaskSpec {
    /// The fixed fields (~400 bytes as JSON) plus every variable text.
    var estimatedBytes: Int {
        400 + taskID.utf8.count + workflow.utf8.count + pool.utf8.count + command.arguments.textBytes + environment.textBytes
            + (directory?.utf8.count ?? 0) + (selector?.utf8.count ?? 0) + (concurrency?.key.utf8.count ?? 0) + (runAs?.utf8.count ?? 0)
    }
}

extension TaskReady {
    public var estimatedBytes: Int { 20 + task.estimatedBytes }
}

extension TaskStatus {
    /// Output tails are escaped as JSON (a control character takes six bytes), so they count double.
    public var estimatedBytes: Int {
        300 + taskID.utf8.count + (agentID?.utf8.count ?? 0) + (agentSession?.utf8.count ?? 0) + (reason?.utf8.count ?? 0)
            + 2 * (outputTail?.utf8.count ?? 0) + (outputs?.textBytes ?? 0)
    }
}

extension DispatchOrder {
    public var estimatedBytes: Int { 300 + task.estimatedBytes + tenant.utf8.count + agentID.utf8.count + (agentSession?.utf8.count ?? 0) }
}

extension AuditRecord {
    public var estimatedBytes: Int {
        300 + actor.utf8.count + action.utf8.count + subjectType.utf8.count + subjectID.utf8.count + (taskID?.utf8.count ?? 0)
            + (fromState?.utf8.count ?? 0) + (toState?.utf8.count ?? 0) + details.textBytes
    }
}
