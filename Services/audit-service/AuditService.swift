import Contracts
import Foundation
import HTTP
import Postgres
import Runtime
import ServiceKit

/// audit-service: stores every audit record published on `wl.audit`, once (keyed by message id
/// and place in the message), and answers queries scoped to the caller's tenant.
enum AuditService {
    @Sendable static func build(_ context: ServiceContext) async throws -> ServiceApp {
        // Records are stored once by their message id and place (`audit_segments` is keyed by
        // both), so the loop need not record processed ids as well. A batch's bytes are bounded
        // (`ConsumerLoop.defaultMaxBatchBytes`): one insert takes a few thousand records at most.
        let loop = try context.consumerLoop("records", topics: [Topics.audit], pace: .relaxed, deduplication: .byHandler) {
            (messages: [IncomingMessage], connection, _) in
            try AuditLog.append(messages, connection)
        }
        var router = Router()
        router.get("/v1/audit") { request in try await AuditLog.query(request, context) }
        return ServiceApp(router: router, services: [loop])
    }
}

enum AuditLog {
    struct Entry: Codable, Sendable {
        /// Where the record came from: its message, and its place in that message (0 for a
        /// record sent alone). The pair names a record for good.
        let messageId: UUID
        let seq: Int
        let actor: String
        let action: String
        let subjectType: String
        let subjectId: String
        let runId: UUID?
        let taskId: String?
        let fromState: String?
        let toState: String?
        let details: [String: String]
        let occurredAt: Date
    }

    /// Stores the records of a batch of messages, in arrival order, as segments
    /// (`Schema.auditSegments`): a message's consecutive records about one run, kept as the JSON
    /// they were sent in. A segment stored already (same message id and first place) is skipped,
    /// and a message is always cut the same way, so a redelivered message adds nothing. Messages
    /// of other types are passed over.
    ///
    /// Every record is decoded first: one that is not a valid `audit.record` (a missing field, a
    /// malformed id) fails the batch, whose messages are then stored one by one and the bad one
    /// parked in `dead_letters` with the reason. What is stored is the text that was checked.
    static func append(_ messages: [IncomingMessage], _ connection: PostgresConnection) throws {
        let segments = try messages.filter { $0.header.itemType == AuditRecord.type }.flatMap(AuditSegment.cut)
        guard !segments.isEmpty else { return }
        try connection.executeDeferred("""
            INSERT INTO audit_segments (message_id, first_seq, tenant, run_id, occurred_at, records)
            SELECT message_id, first_seq, tenant, NULLIF(run_id, '')::uuid, occurred_at, records
            FROM unnest($1::uuid[], $2::int[], $3::text[], $4::text[], $5::timestamptz[], $6::json[]) WITH ORDINALITY
                AS s(message_id, first_seq, tenant, run_id, occurred_at, records, arrival)
            ORDER BY arrival
            ON CONFLICT (message_id, first_seq) DO NOTHING
            """, [segments.map(\.messageID), segments.map(\.firstSeq), segments.map(\.tenant),
                  segments.map { $0.runID?.key ?? "" }, segments.map { Timestamp.format($0.occurredAt) },
                  segments.map(\.records)])
    }

    /// `GET /v1/audit?run=ID&limit=N`: the tenant's records, oldest first.
    static func query(_ request: HTTPRequest, _ context: ServiceContext) async throws -> HTTPResponse {
        let principal = try await context.principal(request)
        let runText = request.query["run"]
        let runID = runText.flatMap(UUID.init(uuidString:))
        if let runText, runID == nil { throw HTTPError.badRequest("'\(runText)' is not a run id") }
        let limit = min(max(Int(request.query["limit"] ?? "") ?? 1_000, 1), 10_000)
        let entries = try await context.tenantRead(principal) { connection in
            try connection.query("""
                SELECT s.message_id, s.first_seq + r.place - 1 AS seq, r.actor, r.action, r."subjectType", r."subjectID",
                    r."runID", r."taskID", r."fromState", r."toState", COALESCE(r.details::text, '{}') AS details,
                    COALESCE(r."occurredAt", s.occurred_at) AS occurred_at
                FROM audit_segments s
                CROSS JOIN LATERAL ROWS FROM (
                    json_to_recordset(s.records) AS (actor text, action text, "subjectType" text, "subjectID" text, "runID" uuid,
                                                     "taskID" text, "fromState" text, "toState" text, details json, "occurredAt" timestamptz)
                ) WITH ORDINALITY AS r(actor, action, "subjectType", "subjectID", "runID", "taskID", "fromState", "toState", details,
                                       "occurredAt", place)
                WHERE s.tenant = $1 AND ($2::uuid IS NULL OR s.run_id = $2)
                ORDER BY COALESCE(r."occurredAt", s.occurred_at), s.id, r.place LIMIT $3
                """, [principal.tenant, runID, limit]).map(entry)
        }
        return .json(["records": entries])
    }

    private static func entry(_ row: PostgresRow) throws -> Entry {
        Entry(messageId: try row.uuid("message_id"), seq: try row.int("seq"), actor: try row.string("actor"),
              action: try row.string("action"), subjectType: try row.string("subjectType"), subjectId: try row.string("subjectID"),
              runId: try row.optionalString("runID").flatMap(UUID.init(uuidString:)), taskId: try row.optionalString("taskID"),
              fromState: try row.optionalString("fromState"), toState: try row.optionalString("toState"),
              details: try row.json("details", as: [String: String].self), occurredAt: try row.date("occurred_at"))
    }
}

/// A message's consecutive audit records about one run (or about none): what one row of
/// `audit_segments` holds.
struct AuditSegment {
    let messageID: UUID
    /// The place in the message of the segment's first record.
    let firstSeq: Int
    let tenant: String
    let runID: UUID?
    /// The message's time, for a record that does not carry its own.
    let occurredAt: Date
    /// The records' JSON array, each record as it was sent.
    let records: String

    /// `message` cut into segments; throws when a record is not a valid `audit.record`.
    static func cut(_ message: IncomingMessage) throws -> [AuditSegment] {
        let records = try message.unpack(AuditRecord.self)
        let texts = try message.itemTexts()
        guard texts.count == records.count else {
            throw MessageError("\(message.header.type) message \(message.header.id): \(texts.count) items read, \(records.count) decoded")
        }
        var segments: [AuditSegment] = []
        var first = 0
        while first < records.count {
            let runID = records[first].payload.runID
            var end = first + 1
            while end < records.count, records[end].payload.runID == runID { end += 1 }
            segments.append(AuditSegment(messageID: message.header.id, firstSeq: first, tenant: message.header.tenant, runID: runID,
                                         occurredAt: message.header.occurredAt, records: jsonArray(texts[first..<end])))
            first = end
        }
        return segments
    }

    private static func jsonArray(_ texts: ArraySlice<ArraySlice<UInt8>>) -> String {
        var bytes: [UInt8] = [UInt8(ascii: "[")]
        bytes.reserveCapacity(texts.reduce(2) { $0 + $1.count + 1 })
        for (place, text) in texts.enumerated() {
            if place > 0 { bytes.append(UInt8(ascii: ",")) }
            bytes.append(contentsOf: text)
        }
        bytes.append(UInt8(ascii: "]"))
        return String(decoding: bytes, as: UTF8.self)
    }
}
