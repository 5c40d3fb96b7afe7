import Contracts
import Foundation
import HTTP
import Postgres
import Runtime
import ServiceKit

/// audit-service: stores every audit record published on `wl.audit`, once (keyed by message id),
/// and answers queries scoped to the caller's tenant.
enum AuditService {
    @Sendable static func build(_ context: ServiceContext) async throws -> ServiceApp {
        let loop = try context.consumerLoop("records", topics: [Topics.audit], maxBatch: 1_000) { message, connection, _ in
            guard message.header.type == AuditRecord.type else { return }
            try AuditLog.append(try message.decode(AuditRecord.self), connection)
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

    static func append(_ record: Envelope<AuditRecord>, _ connection: PostgresConnection) throws {
        let entry = record.payload
        try connection.execute("""
            INSERT INTO audit_log (message_id, tenant, actor, action, subject_type, subject_id, run_id, task_id,
                                   from_state, to_state, details, occurred_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11::jsonb, $12) ON CONFLICT (message_id) DO NOTHING
            """, [record.id, record.tenant, entry.actor, entry.action, entry.subjectType, entry.subjectID, entry.runID,
                  entry.taskID, entry.fromState, entry.toState,
                  String(decoding: try WireCoding.encode(entry.details), as: UTF8.self), record.occurredAt])
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
