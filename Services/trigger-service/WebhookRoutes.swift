import Contracts
import Foundation
import HTTP
import Postgres
import Runtime
import ServiceKit
import Sodium

/// Webhook triggers. A tenant creates one per workflow and name, and gets its secret once;
/// `POST /v1/hooks/:id` then starts a run for every request signed with that secret (see
/// `WebhookSignature`), with the JSON body's fields as run parameters. No bearer token is needed
/// there: the signature is the credential.
struct WebhookRoutes: Sendable {
    let context: ServiceContext
    let tolerance: TimeInterval

    struct CreateRequest: Codable, Sendable { let name: String }

    struct Webhook: Codable, Sendable {
        let id: UUID
        let workflow: String
        let name: String
        let path: String
        let createdBy: String
        let createdAt: Date
        /// Only in the response that created it.
        let secret: String?
    }

    @Sendable func create(_ request: HTTPRequest) async throws -> HTTPResponse {
        let principal = try await context.principal(request)
        try principal.requireWrite()
        let workflow = try request.parameter("name")
        let body = try request.decodeStrict(CreateRequest.self, allowed: ["name"])
        guard DefinitionNames.isIdentifier(body.name) else { throw HTTPError.badRequest("invalid webhook name '\(body.name)'") }
        let (id, secret) = (UUID(), Sodium.hex(Sodium.randomBytes(32)))
        let created = try await context.tenantScoped(principal) { connection, outbox -> Webhook? in
            guard try !connection.query("SELECT 1 FROM workflows WHERE tenant = $1 AND name = $2 LIMIT 1", [principal.tenant, workflow]).isEmpty else {
                throw HTTPError.notFound("no workflow '\(workflow)'")
            }
            guard let row = try connection.query("""
                INSERT INTO webhook_triggers (id, tenant, workflow, name, secret, created_by) VALUES ($1, $2, $3, $4, $5, $6)
                ON CONFLICT (tenant, workflow, name) DO NOTHING RETURNING created_at
                """, [id, principal.tenant, workflow, body.name, secret, principal.name]).first else { return nil }
            try outbox.audit(AuditRecord(actor: principal.name, action: "webhook.create", subjectType: "webhook", subjectID: id.key,
                                           details: ["workflow": workflow, "name": body.name]),
                               tenant: principal.tenant, key: principal.tenant)
            return Webhook(id: id, workflow: workflow, name: body.name, path: Self.path(id), createdBy: principal.name,
                           createdAt: try row.date("created_at"), secret: secret)
        }
        guard let created else { throw HTTPError.conflict("workflow '\(workflow)' already has a webhook named '\(body.name)'") }
        return .json(created, status: 201)
    }

    @Sendable func list(_ request: HTTPRequest) async throws -> HTTPResponse {
        let principal = try await context.principal(request)
        let hooks = try await context.tenantRead(principal) { connection in
            try connection.query("""
                SELECT id, workflow, name, created_by, created_at FROM webhook_triggers WHERE tenant = $1 ORDER BY workflow, name
                """, [principal.tenant]).map { row in
                let id = try row.uuid("id")
                return Webhook(id: id, workflow: try row.string("workflow"), name: try row.string("name"), path: Self.path(id),
                               createdBy: try row.string("created_by"), createdAt: try row.date("created_at"), secret: nil)
            }
        }
        return .json(["webhooks": hooks])
    }

    @Sendable func delete(_ request: HTTPRequest) async throws -> HTTPResponse {
        let principal = try await context.principal(request)
        try principal.requireWrite()
        guard let id = UUID(uuidString: try request.parameter("id")) else { throw HTTPError.notFound("no such webhook") }
        let deleted = try await context.tenantScoped(principal) { connection, outbox -> Bool in
            guard try connection.execute("DELETE FROM webhook_triggers WHERE id = $1 AND tenant = $2", [id, principal.tenant]) == 1 else {
                return false
            }
            try outbox.audit(AuditRecord(actor: principal.name, action: "webhook.delete", subjectType: "webhook", subjectID: id.key),
                               tenant: principal.tenant, key: principal.tenant)
            return true
        }
        guard deleted else { throw HTTPError.notFound("no such webhook") }
        return HTTPResponse(status: 204)
    }

    /// A signed event. Every failure to authenticate is the same 401 to the caller (the reason
    /// is logged), so the endpoint does not reveal which webhook ids exist. Finding the hook is
    /// the one unscoped read (its row is what names the tenant); once the signature checks out,
    /// the run is created in that tenant's scope like any API write.
    @Sendable func receive(_ request: HTTPRequest) async throws -> HTTPResponse {
        let rawID = try request.parameter("id")
        let unauthorized = HTTPError.unauthorized("invalid webhook signature")
        guard let id = UUID(uuidString: rawID) else { throw unauthorized }
        guard let hook = try await context.database.withConnection({ connection in
            try connection.query("SELECT tenant, workflow, name, secret FROM webhook_triggers WHERE id = $1", [id]).first.map {
                (tenant: try $0.string("tenant"), workflow: try $0.string("workflow"), name: try $0.string("name"), secret: try $0.string("secret"))
            }
        }) else { throw unauthorized }
        let signature: String
        do {
            signature = try WebhookSignature.verify(secret: hook.secret, timestamp: request.header("x-wl-timestamp"),
                                                    signature: request.header("x-wl-signature"), body: request.body,
                                                    now: Date(), tolerance: tolerance)
        } catch {
            context.logger.warning("webhook request rejected", ["webhook": id.key, LogKey.error: "\(error)"])
            throw unauthorized
        }
        let parameters: [String: String]
        do { parameters = try RunRoutes.validate(try EventParameters.parse(request.body).parameters) } catch {
            throw HTTPError.badRequest("\(error)")
        }
        let run = RunRequests.Request(tenant: hook.tenant, workflow: hook.workflow, parameters: parameters, source: "event",
                                      requestedBy: "webhook:\(hook.name)", idempotencyKey: "webhook:\(id.key):\(signature)",
                                      logicalTime: Date(), details: ["webhook": id.key])
        let principal = Principal(name: "webhook:\(hook.name)", tenant: hook.tenant, role: .operator)
        let started = try await RunRoutes.create(run, as: principal, context)
        guard let started else { throw HTTPError.notFound("the webhook's workflow no longer exists") }
        // The signature is the run's idempotency key, so a signature is accepted once, ever.
        guard started.created else {
            context.logger.warning("webhook request rejected", ["webhook": id.key, LogKey.error: "replayed signature"])
            throw HTTPError.unauthorized("replayed request")
        }
        context.logger.info("run requested", [LogKey.tenant: hook.tenant, LogKey.workflow: hook.workflow, LogKey.run: started.id.key,
                                              "source": "webhook:\(hook.name)"])
        return .json(started, status: 202)
    }

    static func path(_ id: UUID) -> String { "/v1/hooks/\(id.key)" }
}
