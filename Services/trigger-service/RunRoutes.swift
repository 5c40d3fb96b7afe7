import Contracts
import Foundation
import HTTP
import Postgres
import Runtime
import ServiceKit

/// `POST /v1/runs`: a manual trigger. The run request is stored and published atomically; the
/// dependency-resolver creates the run from it. An `Idempotency-Key` header makes retries safe.
struct RunRoutes: Sendable {
    let context: ServiceContext

    struct StartRequest: Codable, Sendable {
        let workflow: String
        let parameters: [String: String]?
    }

    struct Started: Codable, Sendable {
        let id: UUID
        let workflow: String
        let version: Int
        let created: Bool
    }

    static let maxParameters = 100
    static let maxParameterBytes = 8 * 1024

    @Sendable func start(_ request: HTTPRequest) async throws -> HTTPResponse {
        let principal = try await context.principal(request)
        try principal.requireWrite()
        let body = try request.decodeStrict(StartRequest.self, allowed: ["workflow", "parameters"])
        let parameters = try Self.validate(body.parameters ?? [:])
        let idempotencyKey = request.header("idempotency-key")
        let started = try await context.transaction { connection, outbox -> Started? in
            if let idempotencyKey, let existing = try connection.query("""
                SELECT run_id, workflow, workflow_version FROM run_requests WHERE tenant = $1 AND idempotency_key = $2
                """, [principal.tenant, idempotencyKey]).first {
                return Started(id: try existing.uuid("run_id"), workflow: try existing.string("workflow"),
                               version: try existing.int("workflow_version"), created: false)
            }
            guard let latest = try connection.query("""
                SELECT version FROM workflows WHERE tenant = $1 AND name = $2 ORDER BY version DESC LIMIT 1
                """, [principal.tenant, body.workflow]).first else { return nil }
            let version = try latest.int("version")
            let requested = RunRequested(runID: UUID(), workflow: body.workflow, workflowVersion: version, parameters: parameters,
                                         source: "manual", requestedBy: principal.name, logicalTime: Date())
            try connection.execute("""
                INSERT INTO run_requests (run_id, tenant, workflow, workflow_version, parameters, source, requested_by, idempotency_key, logical_time)
                VALUES ($1, $2, $3, $4, $5::jsonb, $6, $7, $8, $9)
                """, [requested.runID, principal.tenant, requested.workflow, version,
                      String(decoding: try WireCoding.encode(parameters), as: UTF8.self),
                      requested.source, requested.requestedBy, idempotencyKey, requested.logicalTime])
            let runKey = requested.runID.key
            try outbox.publish(requested, tenant: principal.tenant, topic: Topics.runsRequested, key: runKey)
            try outbox.publish(AuditRecord(actor: principal.name, action: "run.trigger", subjectType: "run", subjectID: runKey,
                                           runID: requested.runID, toState: RunState.queued.rawValue,
                                           details: ["workflow": body.workflow, "version": "\(version)", "source": "manual"]),
                               tenant: principal.tenant, topic: Topics.audit, key: principal.tenant)
            return Started(id: requested.runID, workflow: body.workflow, version: version, created: true)
        }
        guard let started else { throw HTTPError.notFound("no workflow '\(body.workflow)'") }
        context.logger.info("run requested", [LogKey.tenant: principal.tenant, LogKey.workflow: started.workflow,
                                              LogKey.run: started.id.key])
        return .json(started, status: started.created ? 202 : 200)
    }

    /// Parameter names are identifiers (they become `WL_PARAM_<name>` variables); sizes are bounded.
    static func validate(_ parameters: [String: String]) throws(HTTPError) -> [String: String] {
        guard parameters.count <= maxParameters else { throw HTTPError.badRequest("at most \(maxParameters) parameters") }
        for (name, value) in parameters {
            let valid = !name.isEmpty && name.count <= 64 && name.unicodeScalars.allSatisfy {
                $0 == "_" || ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0)
            }
            guard valid else { throw HTTPError.badRequest("invalid parameter name '\(name)': use letters, digits and '_'") }
            guard value.utf8.count <= maxParameterBytes else {
                throw HTTPError.badRequest("parameter '\(name)' is longer than \(maxParameterBytes) bytes")
            }
        }
        return parameters
    }
}
