import Contracts
import Foundation
import Postgres
import Runtime

/// The one way a run comes into being, whatever triggered it (manual, schedule, backfill, event,
/// webhook, a parent run's sub-workflow task): a `run_requests` row and its `run.requested`
/// message, in the caller's transaction. The idempotency key makes every trigger safe to repeat:
/// the same key returns the same run. Declared parameters get their defaults here, and a
/// missing required one is refused here, at trigger time, never discovered mid-run.
public enum RunRequests {
    /// Why a run could not be requested, phrased for whoever triggered it.
    public struct Refused: Error, Sendable, CustomStringConvertible {
        public let description: String
    }

    public struct Request: Sendable {
        public var tenant: String
        public var workflow: String
        public var parameters: [String: String]
        /// schedule, event, manual, backfill or workflow (a sub-workflow task).
        public var source: String
        /// The credential, schedule, webhook, topic or parent task that caused it.
        public var requestedBy: String
        public var idempotencyKey: String?
        public var logicalTime: Date
        public var details: [String: String]
        public var parent: RunParent?

        public init(tenant: String, workflow: String, parameters: [String: String], source: String, requestedBy: String,
                    idempotencyKey: String?, logicalTime: Date, details: [String: String] = [:], parent: RunParent? = nil) {
            self.tenant = tenant
            self.workflow = workflow
            self.parameters = parameters
            self.source = source
            self.requestedBy = requestedBy
            self.idempotencyKey = idempotencyKey
            self.logicalTime = logicalTime
            self.details = details
            self.parent = parent
        }
    }

    public struct Created: Codable, Sendable {
        public let id: UUID
        public let workflow: String
        public let version: Int
        public let created: Bool
    }

    /// The run for `request`: the existing one for a known idempotency key, else a new run of the
    /// workflow's latest version. nil when the tenant has no such workflow; `Refused` when a
    /// required parameter is missing.
    public static func create(_ request: Request, _ connection: PostgresConnection, _ outbox: Outbox) throws -> Created? {
        if let key = request.idempotencyKey, let existing = try connection.query("""
            SELECT run_id, workflow, workflow_version FROM run_requests WHERE tenant = $1 AND idempotency_key = $2
            """, [request.tenant, key]).first {
            return Created(id: try existing.uuid("run_id"), workflow: try existing.string("workflow"),
                           version: try existing.int("workflow_version"), created: false)
        }
        guard let latest = try connection.query("""
            SELECT version, COALESCE(definition->'params', '{}')::text AS params FROM workflows
            WHERE tenant = $1 AND name = $2 ORDER BY version DESC LIMIT 1
            """, [request.tenant, request.workflow]).first else { return nil }
        let version = try latest.int("version")
        let parameters: [String: String]
        do {
            parameters = try WorkflowDefinition.resolveParameters(request.parameters, declared: try latest.json("params", as: [String: ParameterDefinition].self),
                                                                  workflow: request.workflow)
        } catch let error as DefinitionError {
            throw Refused(description: error.message)
        }
        let message = RunRequested(runID: .timeOrdered(), workflow: request.workflow, workflowVersion: version, parameters: parameters,
                                   source: request.source, requestedBy: request.requestedBy, logicalTime: request.logicalTime,
                                   parent: request.parent)
        try connection.execute("""
            INSERT INTO run_requests (run_id, tenant, workflow, workflow_version, parameters, source, requested_by, idempotency_key, logical_time)
            VALUES ($1, $2, $3, $4, $5::jsonb, $6, $7, $8, $9)
            """, [message.runID, request.tenant, request.workflow, version,
                  String(decoding: try WireCoding.encode(parameters), as: UTF8.self),
                  request.source, request.requestedBy, request.idempotencyKey, request.logicalTime])
        let runKey = message.runID.key
        try outbox.publish(message, tenant: request.tenant, topic: Topics.runsRequested, key: runKey)
        var details = request.details
        details["workflow"] = request.workflow
        details["version"] = "\(version)"
        details["source"] = request.source
        details["logicalTime"] = Timestamp.format(request.logicalTime)
        try outbox.audit(AuditRecord(actor: request.requestedBy, action: "run.trigger", subjectType: "run", subjectID: runKey,
                                       runID: message.runID, toState: RunState.queued.rawValue, details: details),
                           tenant: request.tenant, key: request.tenant)
        return Created(id: message.runID, workflow: request.workflow, version: version, created: true)
    }

    /// Asks the resolver to cancel `runID` (a no-op there if it already finished).
    public static func cancel(_ runID: UUID, tenant: String, reason: String, requestedBy: String, _ outbox: Outbox) throws {
        let key = runID.key
        try outbox.publish(RunCancelRequested(runID: runID, reason: reason, requestedBy: requestedBy),
                           tenant: tenant, topic: Topics.runsRequested, key: key)
        try outbox.audit(AuditRecord(actor: requestedBy, action: "run.cancel", subjectType: "run", subjectID: key, runID: runID,
                                       details: ["reason": reason]),
                           tenant: tenant, key: tenant)
    }

    /// Runs of a workflow that have not finished: requests the resolver has not
    /// materialised yet count too. Requests older than a day without a run are not counted (a
    /// resolver down that long is an incident of its own), which keeps this an index range scan.
    public static func active(tenant: String, workflow: String, _ connection: PostgresConnection) throws -> [UUID] {
        try connection.query("""
            SELECT r.run_id FROM run_requests r LEFT JOIN runs u ON u.id = r.run_id
            WHERE r.tenant = $1 AND r.workflow = $2 AND r.created_at > now() - interval '1 day'
              AND (u.id IS NULL OR u.state IN ('queued', 'running', 'paused'))
            UNION
            SELECT id FROM runs WHERE tenant = $1 AND workflow = $2 AND state IN ('queued', 'running', 'paused')
            """, [tenant, workflow]).map { try $0.uuid("run_id") }
    }
}
