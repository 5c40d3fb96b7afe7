import Contracts
import Foundation
import Postgres
import Runtime
import ServiceKit

/// The one way a run comes into being, whatever triggered it (manual, schedule, backfill, event,
/// webhook): a `run_requests` row and its `run.requested` message, in the caller's transaction.
/// The idempotency key makes every trigger safe to repeat: the same key returns the same run.
enum RunRequests {
    struct Request {
        var tenant: String
        var workflow: String
        var parameters: [String: String]
        /// schedule, event, manual, backfill or dependency.
        var source: String
        /// The credential, schedule, webhook or topic that caused it.
        var requestedBy: String
        var idempotencyKey: String?
        var logicalTime: Date
        var details: [String: String] = [:]
    }

    struct Created: Codable, Sendable {
        let id: UUID
        let workflow: String
        let version: Int
        let created: Bool
    }

    /// The run for `request`: the existing one for a known idempotency key, else a new run of the
    /// workflow's latest version. nil when the tenant has no such workflow.
    static func create(_ request: Request, _ connection: PostgresConnection, _ outbox: Outbox) throws -> Created? {
        if let key = request.idempotencyKey, let existing = try connection.query("""
            SELECT run_id, workflow, workflow_version FROM run_requests WHERE tenant = $1 AND idempotency_key = $2
            """, [request.tenant, key]).first {
            return Created(id: try existing.uuid("run_id"), workflow: try existing.string("workflow"),
                           version: try existing.int("workflow_version"), created: false)
        }
        guard let latest = try connection.query("""
            SELECT version FROM workflows WHERE tenant = $1 AND name = $2 ORDER BY version DESC LIMIT 1
            """, [request.tenant, request.workflow]).first else { return nil }
        let version = try latest.int("version")
        let message = RunRequested(runID: UUID(), workflow: request.workflow, workflowVersion: version, parameters: request.parameters,
                                   source: request.source, requestedBy: request.requestedBy, logicalTime: request.logicalTime)
        try connection.execute("""
            INSERT INTO run_requests (run_id, tenant, workflow, workflow_version, parameters, source, requested_by, idempotency_key, logical_time)
            VALUES ($1, $2, $3, $4, $5::jsonb, $6, $7, $8, $9)
            """, [message.runID, request.tenant, request.workflow, version,
                  String(decoding: try WireCoding.encode(request.parameters), as: UTF8.self),
                  request.source, request.requestedBy, request.idempotencyKey, request.logicalTime])
        let runKey = message.runID.key
        try outbox.publish(message, tenant: request.tenant, topic: Topics.runsRequested, key: runKey)
        var details = request.details
        details["workflow"] = request.workflow
        details["version"] = "\(version)"
        details["source"] = request.source
        details["logicalTime"] = Timestamp.format(request.logicalTime)
        try outbox.publish(AuditRecord(actor: request.requestedBy, action: "run.trigger", subjectType: "run", subjectID: runKey,
                                       runID: message.runID, toState: RunState.queued.rawValue, details: details),
                           tenant: request.tenant, topic: Topics.audit, key: request.tenant)
        return Created(id: message.runID, workflow: request.workflow, version: version, created: true)
    }

    /// Asks the resolver to cancel `runID` (a no-op there if it already finished).
    static func cancel(_ runID: UUID, tenant: String, reason: String, requestedBy: String, _ outbox: Outbox) throws {
        let key = runID.key
        try outbox.publish(RunCancelRequested(runID: runID, reason: reason, requestedBy: requestedBy),
                           tenant: tenant, topic: Topics.runsRequested, key: key)
        try outbox.publish(AuditRecord(actor: requestedBy, action: "run.cancel", subjectType: "run", subjectID: key, runID: runID,
                                       details: ["reason": reason]),
                           tenant: tenant, topic: Topics.audit, key: tenant)
    }

    /// Runs of a workflow that have not finished: requests the resolver has not
    /// materialised yet count too. Requests older than a day without a run are not counted (a
    /// resolver down that long is an incident of its own), which keeps this an index range scan.
    static func active(tenant: String, workflow: String, _ connection: PostgresConnection) throws -> [UUID] {
        try connection.query("""
            SELECT r.run_id FROM run_requests r LEFT JOIN runs u ON u.id = r.run_id
            WHERE r.tenant = $1 AND r.workflow = $2 AND r.created_at > now() - interval '1 day'
              AND (u.id IS NULL OR u.state IN ('queued', 'running'))
            UNION
            SELECT id FROM runs WHERE tenant = $1 AND workflow = $2 AND state IN ('queued', 'running')
            """, [tenant, workflow]).map { try $0.uuid("run_id") }
    }
}
