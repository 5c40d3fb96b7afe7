import Contracts
import Foundation
import HTTP
import Postgres
import Runtime
import ServiceKit

/// `/v1/tenants`: the platform admin creates tenants and sees all of them; a tenant credential
/// sees only its own. `GET /v1/whoami` tells a credential what it is.
///
/// Creating and listing every tenant are platform operations, so they run as the schema owner;
/// a tenant credential's reads go through the tenant scope like every other tenant read.
struct TenantRoutes: Sendable {
    let context: ServiceContext
    static let maxDisplayName = 200
    static let weights = 1...1_000
    /// Not available as tenant names: `platform` owns the shared agents (see cmdb-service).
    static let reserved: Set<String> = ["platform"]

    struct CreateRequest: Codable, Sendable {
        let name: String
        let displayName: String?
        let weight: Int?
    }

    struct Tenant: Codable, Sendable {
        let name: String
        let displayName: String?
        /// Its share of contended capacity, relative to other tenants' (the dispatcher's fair share).
        let weight: Int
        let createdBy: String?
        let createdAt: Date
    }

    struct Identity: Codable, Sendable {
        let name: String
        /// `*` for a platform credential.
        let tenant: String
        let role: String
        let platform: Bool
    }

    @Sendable func create(_ request: HTTPRequest) async throws -> HTTPResponse {
        let caller = try await context.authenticator.credential(request)
        guard caller.isPlatform, caller.role == .admin else {
            throw HTTPError.forbidden("only a platform admin credential may create tenants")
        }
        let body = try request.decodeStrict(CreateRequest.self, allowed: ["name", "displayName", "weight"])
        try Self.validate(body)
        let created = try await context.transaction { connection, outbox -> Tenant? in
            guard let row = try connection.query("""
                INSERT INTO tenants (name, display_name, weight, created_by) VALUES ($1, $2, $3, $4)
                ON CONFLICT (name) DO NOTHING RETURNING \(Self.columns)
                """, [body.name, body.displayName, body.weight ?? 1, caller.name]).first else { return nil }
            var details = ["weight": "\(body.weight ?? 1)"]
            details["displayName"] = body.displayName
            try outbox.audit(AuditRecord(actor: caller.name, action: "tenant.create", subjectType: "tenant", subjectID: body.name,
                                           details: details),
                               tenant: body.name, key: body.name)
            return try Self.decode(row)
        }
        guard let created else { throw HTTPError.conflict("tenant '\(body.name)' already exists") }
        context.logger.info("tenant created", [LogKey.tenant: created.name, "weight": "\(created.weight)", "actor": caller.name])
        return .json(created, status: 201)
    }

    @Sendable func list(_ request: HTTPRequest) async throws -> HTTPResponse {
        let caller = try await context.authenticator.credential(request)
        let sql = "SELECT \(Self.columns) FROM tenants ORDER BY name"
        let tenants: [Tenant]
        if caller.isPlatform {
            tenants = try await context.database.withConnection { connection in try connection.query(sql).map(Self.decode) }
        } else {
            tenants = try await context.tenantRead(caller.ownPrincipal) { connection in try connection.query(sql).map(Self.decode) }
        }
        return .json(["tenants": tenants])
    }

    @Sendable func show(_ request: HTTPRequest) async throws -> HTTPResponse {
        let caller = try await context.authenticator.credential(request)
        let name = try request.parameter("name")
        let sql = "SELECT \(Self.columns) FROM tenants WHERE name = $1"
        let tenant: Tenant?
        if caller.isPlatform {
            tenant = try await context.database.withConnection { connection in try connection.query(sql, [name]).first.map(Self.decode) }
        } else {
            tenant = try await context.tenantRead(caller.ownPrincipal) { connection in try connection.query(sql, [name]).first.map(Self.decode) }
        }
        guard let tenant else { throw HTTPError.notFound("no tenant '\(name)'") }
        return .json(tenant)
    }

    @Sendable func whoami(_ request: HTTPRequest) async throws -> HTTPResponse {
        let caller = try await context.authenticator.credential(request)
        return .json(Identity(name: caller.name, tenant: caller.tenant, role: caller.role.rawValue, platform: caller.isPlatform))
    }

    /// 400 naming the problem; the name rule is the one `X-WL-Tenant` is checked against.
    static func validate(_ body: CreateRequest) throws(HTTPError) {
        guard Authenticator.isTenantName(body.name), body.name.first != "-", body.name.first != "_" else {
            throw HTTPError.badRequest("invalid tenant name '\(body.name)': 1 to 64 of a-z, 0-9, '-' and '_', starting with a letter or digit")
        }
        guard !reserved.contains(body.name) else { throw HTTPError.badRequest("tenant name '\(body.name)' is reserved") }
        if let weight = body.weight, !weights.contains(weight) {
            throw HTTPError.badRequest("weight must be from \(weights.lowerBound) to \(weights.upperBound), got \(weight)")
        }
        if let display = body.displayName, display.isEmpty || display.count > maxDisplayName {
            throw HTTPError.badRequest("displayName must be 1 to \(maxDisplayName) characters")
        }
    }

    static let columns = "name, display_name, weight, created_by, created_at"

    static func decode(_ row: PostgresRow) throws -> Tenant {
        Tenant(name: try row.string("name"), displayName: try row.optionalString("display_name"), weight: try row.int("weight"),
               createdBy: try row.optionalString("created_by"), createdAt: try row.date("created_at"))
    }
}
