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

    /// Stores the records of a batch of messages in one statement, in arrival order; a record
    /// already stored (same message id and place in it) is skipped. Messages of other types are
    /// passed over.
    ///
    /// Postgres reads the records straight from the messages' JSON (`jsonb_to_recordset` over a
    /// group's items, or over the one record of a plain `audit.record`): decoding every record
    /// into Swift values only to encode them again for the insert was most of this service's
    /// work (a 20,000-task run sends 80,000 records). Only the envelope header, which the
    /// consumer loop has read already, is checked here; a record Postgres cannot store (a
    /// missing field, a malformed id) fails the batch, whose messages are then stored one by
    /// one and the bad one parked in `dead_letters` with Postgres's error.
    static func append(_ messages: [IncomingMessage], _ connection: PostgresConnection) throws {
        let records = messages.filter { $0.header.itemType == AuditRecord.type }
        guard !records.isEmpty else { return }
        for message in records where message.header.version > AuditRecord.version {
            throw MessageError("\(message.header.type) version \(message.header.version) is newer than this service reads (\(AuditRecord.version))")
        }
        try connection.executeDeferred("""
            INSERT INTO audit_log (message_id, seq, tenant, actor, action, subject_type, subject_id, run_id, task_id,
                                   from_state, to_state, details, occurred_at)
            SELECT (m.envelope->>'id')::uuid, r.place - 1, m.envelope->>'tenant', r.actor, r.action, r."subjectType", r."subjectID",
                r."runID", r."taskID", r."fromState", r."toState", r.details,
                COALESCE(r."occurredAt", (m.envelope->>'occurredAt')::timestamptz)
            FROM unnest($1::jsonb[]) WITH ORDINALITY AS m(envelope, arrival)
            CROSS JOIN LATERAL ROWS FROM (
                jsonb_to_recordset(CASE WHEN m.envelope->>'type' = $2 THEN m.envelope->'payload'->'items'
                                        ELSE jsonb_build_array(m.envelope->'payload') END)
                AS (actor text, action text, "subjectType" text, "subjectID" text, "runID" uuid, "taskID" text,
                    "fromState" text, "toState" text, details jsonb, "occurredAt" timestamptz)
            ) WITH ORDINALITY AS r(actor, action, "subjectType", "subjectID", "runID", "taskID", "fromState", "toState", details,
                                   "occurredAt", place)
            ORDER BY m.arrival, r.place
            ON CONFLICT (message_id, seq) DO NOTHING
            """, [records.map { String(decoding: $0.raw.value, as: UTF8.self) }, AuditRecord.groupType])
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
