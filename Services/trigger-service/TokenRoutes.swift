import Contracts
import Foundation
import HTTP
import Postgres
import Runtime
import ServiceKit

/// `/v1/tenants/:name/tokens`: API credentials of one tenant. A platform admin manages any
/// tenant's, an admin of the tenant its own; anyone else gets 403, and a tenant credential naming
/// another tenant gets 404, as if it did not exist. The token is in the answer that issued it and
/// nowhere else: only its SHA-256 is stored.
///
/// Revoking takes effect at once in this process and within `Authenticator.cacheLifetime` in
/// every other service instance (each caches lookups that long).
struct TokenRoutes: Sendable {
    let context: ServiceContext
    static let maxName = 64

    struct CreateRequest: Codable, Sendable {
        let name: String
        let role: String
    }

    struct Token: Codable, Sendable {
        let name: String
        let tenant: String
        let role: String
        let createdAt: Date
        /// Only in the answer that issued it.
        let token: String?
    }

    @Sendable func create(_ request: HTTPRequest) async throws -> HTTPResponse {
        let principal = try await manager(request)
        let body = try request.decodeStrict(CreateRequest.self, allowed: ["name", "role"])
        guard DefinitionNames.isIdentifier(body.name), body.name.count <= Self.maxName else {
            throw HTTPError.badRequest("invalid token name '\(body.name)': up to \(Self.maxName) letters, digits, '.', '_' and '-'")
        }
        guard let role = Principal.Role(rawValue: body.role) else {
            let roles = Principal.Role.allCases.map(\.rawValue).joined(separator: ", ")
            throw HTTPError.badRequest("role must be one of \(roles), not '\(body.role)'")
        }
        let token = Authenticator.newToken()
        let issued = try await context.tenantScoped(principal) { connection, outbox -> Token? in
            guard let row = try connection.query("""
                INSERT INTO api_tokens (token_sha256, name, tenant, role) VALUES ($1, $2, $3, $4)
                ON CONFLICT DO NOTHING RETURNING created_at
                """, [Authenticator.hash(token), body.name, principal.tenant, role.rawValue]).first else { return nil }
            try outbox.audit(AuditRecord(actor: principal.name, action: "token.create", subjectType: "token", subjectID: body.name,
                                           details: ["role": role.rawValue]),
                               tenant: principal.tenant, key: principal.tenant)
            return Token(name: body.name, tenant: principal.tenant, role: role.rawValue, createdAt: try row.date("created_at"), token: token)
        }
        guard let issued else { throw HTTPError.conflict("tenant '\(principal.tenant)' already has a token named '\(body.name)'") }
        context.logger.info("token issued", [LogKey.tenant: principal.tenant, "token.name": body.name, "role": role.rawValue,
                                             "actor": principal.name])
        return .json(issued, status: 201)
    }

    @Sendable func list(_ request: HTTPRequest) async throws -> HTTPResponse {
        let principal = try await manager(request)
        let tokens = try await context.tenantRead(principal) { connection in
            try connection.query("SELECT name, tenant, role, created_at FROM api_tokens WHERE tenant = $1 ORDER BY name",
                                 [principal.tenant]).map { row in
                Token(name: try row.string("name"), tenant: try row.string("tenant"), role: try row.string("role"),
                      createdAt: try row.date("created_at"), token: nil)
            }
        }
        return .json(["tokens": tokens])
    }

    @Sendable func revoke(_ request: HTTPRequest) async throws -> HTTPResponse {
        let principal = try await manager(request)
        let name = try request.parameter("token")
        let revoked = try await context.tenantScoped(principal) { connection, outbox -> Bool in
            guard try connection.execute("DELETE FROM api_tokens WHERE tenant = $1 AND name = $2", [principal.tenant, name]) > 0 else {
                return false
            }
            try outbox.audit(AuditRecord(actor: principal.name, action: "token.revoke", subjectType: "token", subjectID: name),
                               tenant: principal.tenant, key: principal.tenant)
            return true
        }
        guard revoked else { throw HTTPError.notFound("tenant '\(principal.tenant)' has no token named '\(name)'") }
        context.authenticator.forget(tenant: principal.tenant, name: name)
        context.logger.info("token revoked", [LogKey.tenant: principal.tenant, "token.name": name, "actor": principal.name])
        return HTTPResponse(status: 204)
    }

    /// The caller acting for the tenant in the path, if it may manage that tenant's tokens.
    private func manager(_ request: HTTPRequest) async throws -> Principal {
        let caller = try await context.authenticator.credential(request)
        let tenant = try request.parameter("name")
        if caller.isPlatform {
            guard caller.role == .admin else { throw HTTPError.forbidden("credential '\(caller.name)' is not an admin (role \(caller.role.rawValue))") }
            guard Authenticator.isTenantName(tenant), try await context.authenticator.tenantExists(tenant) else {
                throw HTTPError.notFound("no tenant '\(tenant)'")
            }
            return Principal(name: caller.name, tenant: tenant, role: caller.role, isPlatform: true)
        }
        guard caller.tenant == tenant else { throw HTTPError.notFound("no tenant '\(tenant)'") }
        let principal = caller.ownPrincipal
        try principal.requireAdmin()
        return principal
    }
}
