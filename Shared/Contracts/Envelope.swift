import Foundation
import Runtime

/// A message body carried on a topic; its type name and version travel in the envelope.
public protocol MessagePayload: Codable, Sendable {
    static var type: String { get }
    static var version: Int { get }
}

/// The versioned JSON envelope every message travels in: `{type, version, id, tenant, occurredAt, payload}`.
/// `id` is unique per message and is what idempotent consumers remember.
public struct Envelope<Payload: MessagePayload>: Codable, Sendable {
    public let type: String
    public let version: Int
    public let id: UUID
    public let tenant: String
    public let occurredAt: Date
    public let payload: Payload

    public init(id: UUID = .timeOrdered(), tenant: String, occurredAt: Date = Date(), payload: Payload) {
        self.type = Payload.type
        self.version = Payload.version
        self.id = id
        self.tenant = tenant
        self.occurredAt = occurredAt
        self.payload = payload
    }

    public func encoded() throws -> [UInt8] { try WireCoding.encode(self) }
}

/// The envelope fields without the payload, read first to route a message by its type.
public struct EnvelopeHeader: Codable, Sendable {
    public let type: String
    public let version: Int
    public let id: UUID
    public let tenant: String
    public let occurredAt: Date
}

public struct MessageError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}

extension Envelope {
    /// Decodes an envelope, checking that it carries `Payload`'s type at a version this code reads.
    public static func decode(_ bytes: [UInt8]) throws -> Envelope {
        let parsed: WireParsed
        do { parsed = try WireParsed(bytes) } catch {
            throw MessageError("undecodable \(Payload.type) message: \(WireCoding.describe(error))")
        }
        return try decode(parsed)
    }

    /// As `decode(_:)`, for a message parsed already (its header read from the same parse).
    public static func decode(_ parsed: WireParsed) throws -> Envelope {
        let envelope: Envelope
        do { envelope = try parsed.decode(Envelope.self) } catch {
            throw MessageError("undecodable \(Payload.type) message: \(WireCoding.describe(error))")
        }
        guard envelope.type == Payload.type else {
            throw MessageError("expected a \(Payload.type) message, got \(envelope.type)")
        }
        guard envelope.version <= Payload.version else {
            throw MessageError("\(Payload.type) version \(envelope.version) is newer than this service reads (\(Payload.version))")
        }
        return envelope
    }
}
