import Contracts
import Foundation
import HTTP
import Postgres
import Runtime
import ServiceKit

/// `POST /v1/runs` (a manual trigger; an `Idempotency-Key` header makes retries safe) and
/// `POST /v1/runs/:id/cancel`.
struct RunRoutes: Sendable {
    let context: ServiceContext

    struct StartRequest: Codable, Sendable {
        let workflow: String
        let parameters: [String: String]?
    }

    static let maxParameters = 100
    static let maxParameterBytes = 8 * 1024

    @Sendable func start(_ request: HTTPRequest) async throws -> HTTPResponse {
        let principal = try await context.principal(request)
        try principal.requireWrite()
        let body = try request.decodeStrict(StartRequest.self, allowed: ["workflow", "parameters"])
        let run = RunRequests.Request(tenant: principal.tenant, workflow: body.workflow, parameters: try Self.validate(body.parameters ?? [:]),
                                      source: "manual", requestedBy: principal.name,
                                      idempotencyKey: request.header("idempotency-key"), logicalTime: Date())
        let started = try await Self.create(run, as: principal, context)
        guard let started else { throw HTTPError.notFound("no workflow '\(body.workflow)'") }
        context.logger.info("run requested", [LogKey.tenant: principal.tenant, LogKey.workflow: started.workflow,
                                              LogKey.run: started.id.key, "source": "manual"])
        return .json(started, status: started.created ? 202 : 200)
    }

    /// Accepted when the run exists for the caller's tenant; the resolver applies it (a finished
    /// run stays as it is).
    @Sendable func cancel(_ request: HTTPRequest) async throws -> HTTPResponse {
        let principal = try await context.principal(request)
        try principal.requireWrite()
        guard let runID = UUID(uuidString: try request.parameter("id")) else { throw HTTPError.notFound("no such run") }
        let found = try await context.tenantScoped(principal) { connection, outbox -> Bool in
            guard try !connection.query("SELECT 1 FROM run_requests WHERE run_id = $1 AND tenant = $2", [runID, principal.tenant]).isEmpty else {
                return false
            }
            try RunRequests.cancel(runID, tenant: principal.tenant, reason: "cancelled by \(principal.name)",
                                   requestedBy: principal.name, outbox)
            return true
        }
        guard found else { throw HTTPError.notFound("no such run") }
        return .json(["id": runID.key, "state": "cancelling"], status: 202)
    }

    /// Creates the run in `principal`'s tenant scope; a refused request (a required parameter
    /// missing) is the caller's 400.
    static func create(_ run: RunRequests.Request, as principal: Principal, _ context: ServiceContext) async throws -> RunRequests.Created? {
        do {
            return try await context.tenantScoped(principal) { connection, outbox in try RunRequests.create(run, connection, outbox) }
        } catch let refused as RunRequests.Refused {
            throw HTTPError.badRequest(refused.description)
        }
    }

    /// Parameter names are identifiers (they become `WL_PARAM_<name>` variables); sizes are bounded.
    static func validate(_ parameters: [String: String]) throws(HTTPError) -> [String: String] {
        guard parameters.count <= maxParameters else { throw HTTPError.badRequest("at most \(maxParameters) parameters") }
        for (name, value) in parameters {
            guard ParameterNames.isValid(name) else {
                throw HTTPError.badRequest("invalid parameter name '\(name)': use letters, digits and '_'")
            }
            guard value.utf8.count <= maxParameterBytes else {
                throw HTTPError.badRequest("parameter '\(name)' is longer than \(maxParameterBytes) bytes")
            }
        }
        return parameters
    }
}
