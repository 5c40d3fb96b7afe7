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
        // Records are stored once by their message id and place (`audit_log` is unique on both),
        // so the loop need not record processed ids as well. A batch's bytes are bounded
        // (`ConsumerLoop.maxBatchBytes`): one insert takes a few thousand records at most.
        let loop = try context.consumerLoop("records", topics: [Topics.audit], pace: .relaxed, deduplication: .byHandler) {
            (messages: [IncomingMessage], connection, _) in
            try AuditLog.append(try messages.flatMap(AuditLog.stored), connection)
        }
        var router = Router()
        router.get("/v1/audit") { request in try await AuditLog.query(request, context) }
        return ServiceApp(router: router, services: [loop])
    }
}

enum AuditLog {
    struct Entry: Codable, Sendable {
        let id: Int64
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

    /// A record as it is stored: the message it came in, its place in that message, the
    /// envelope's tenant and the time it happened.
    struct Stored {
        let messageID: UUID
        let seq: Int
        let tenant: String
        let record: AuditRecord
        let occurredAt: Date
    }

    /// The records a message carries: one (`audit.record`), a group (`audit.record[]`), or none.
    static func stored(_ message: IncomingMessage) throws -> [Stored] {
        guard message.header.itemType == AuditRecord.type else { return [] }
        return try message.unpack(AuditRecord.self).enumerated().map { seq, envelope in
            Stored(messageID: envelope.id, seq: seq, tenant: envelope.tenant, record: envelope.payload,
                   occurredAt: envelope.payload.occurredAt ?? envelope.occurredAt)
        }
    }

    /// One stored record as the batch statement reads it (`jsonb_to_recordset`).
    private struct Row: Encodable {
        /// Place in the batch: records get their ids in this order.
        let arrival: Int
        let messageID: UUID
        let seq: Int
        let tenant: String
        let actor: String
        let action: String
        let subjectType: String
        let subjectID: String
        let runID: UUID?
        let taskID: String?
        let fromState: String?
        let toState: String?
        let details: [String: String]
        let occurredAt: Date

        init(arrival: Int, _ stored: Stored) {
            let record = stored.record
            self.arrival = arrival
            (messageID, seq, tenant, occurredAt) = (stored.messageID, stored.seq, stored.tenant, stored.occurredAt)
            (actor, action, subjectType, subjectID) = (record.actor, record.action, record.subjectType, record.subjectID)
            (runID, taskID, fromState, toState, details) = (record.runID, record.taskID, record.fromState, record.toState, record.details)
        }
    }

    /// Stores a batch of records in one statement, in arrival order; a record already stored
    /// (same message id and place in it) is skipped.
    static func append(_ records: [Stored], _ connection: PostgresConnection) throws {
        guard !records.isEmpty else { return }
        let rows = records.enumerated().map { Row(arrival: $0.offset, $0.element) }
        try connection.executeDeferred("""
            INSERT INTO audit_log (message_id, seq, tenant, actor, action, subject_type, subject_id, run_id, task_id,
                                   from_state, to_state, details, occurred_at)
            SELECT r."messageID", r.seq, r.tenant, r.actor, r.action, r."subjectType", r."subjectID", r."runID", r."taskID",
                r."fromState", r."toState", r.details, r."occurredAt"
            FROM jsonb_to_recordset($1::jsonb) AS r(arrival int, "messageID" uuid, seq int, tenant text, actor text, action text,
                "subjectType" text, "subjectID" text, "runID" uuid, "taskID" text, "fromState" text, "toState" text,
                details jsonb, "occurredAt" timestamptz)
            ORDER BY r.arrival
            ON CONFLICT (message_id, seq) DO NOTHING
            """, [String(decoding: try WireCoding.encode(rows), as: UTF8.self)])
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
                SELECT id, actor, action, subject_type, subject_id, run_id, task_id, from_state, to_state, details::text AS details, occurred_at
                FROM audit_log WHERE tenant = $1 AND ($2::uuid IS NULL OR run_id = $2) ORDER BY occurred_at, id LIMIT $3
                """, [principal.tenant, runID, limit]).map { row in
                Entry(id: try row.int64("id"), actor: try row.string("actor"), action: try row.string("action"),
                      subjectType: try row.string("subject_type"), subjectId: try row.string("subject_id"),
                      runId: try row.optionalString("run_id").flatMap(UUID.init(uuidString:)), taskId: try row.optionalString("task_id"),
                      fromState: try row.optionalString("from_state"), toState: try row.optionalString("to_state"),
                      details: try row.json("details", as: [String: String].self), occurredAt: try row.date("occurred_at"))
            }
        }
        return .json(["records": entries])
    }
}
