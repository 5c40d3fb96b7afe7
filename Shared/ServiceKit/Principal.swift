import HTTP
import Postgres
import Sodium
import Synchronization
import Foundation

/// Who is calling: the credential's name, the tenant it acts for and its role.
public struct Principal: Sendable, Equatable {
    public enum Role: String, Sendable { case admin, `operator`, viewer }

    public let name: String
    /// The tenant every read and write of this request is scoped to.
    public let tenant: String
    public let role: Role
    /// A platform credential (tenant `*`) acting for `tenant`.
    public let platform: Bool

    public init(name: String, tenant: String, role: Role, platform: Bool = false) {
        self.name = name
        self.tenant = tenant
        self.role = role
        self.platform = platform
    }

    /// Rejects callers other than a platform administrator (platform-wide settings).
    public func requirePlatformAdmin() throws(HTTPError) {
        guard platform, role == .admin else {
            throw HTTPError.forbidden("credential '\(name)' is not a platform administrator")
        }
    }

    /// Rejects callers whose role may not change state.
    public func requireWrite() throws(HTTPError) {
        guard role != .viewer else { throw HTTPError.forbidden("credential '\(name)' may only read") }
    }
}

/// Bearer-token authentication. Tokens are stored as SHA-256 hashes; a platform admin token
/// (tenant `*`) acts for the tenant named in the `X-WL-Tenant` header. Lookups are cached briefly
/// so authentication costs no round trip on the hot path.
public final class Authenticator: Sendable {
    public static let tenantHeader = "x-wl-tenant"
    public static let platformTenant = "*"

    private struct Credential: Sendable {
        let name: String
        let tenant: String
        let role: Principal.Role
        let fetched: ContinuousClock.Instant
    }

    private let database: PostgresClient
    private let cache = Mutex<[String: Credential]>([:])
    private let cacheLifetime: Duration = .seconds(30)

    public init(database: PostgresClient) { self.database = database }

    public func authenticate(_ request: HTTPRequest) async throws -> Principal {
        guard let header = request.header("authorization"), header.lowercased().hasPrefix("bearer ") else {
            throw HTTPError.unauthorized("missing bearer token (Authorization: Bearer <token>)")
        }
        let token = String(header.dropFirst("bearer ".count)).trimmingCharacters(in: .whitespaces)
        let credential = try await lookup(Sodium.hex(Sodium.sha256(token)))
        guard credential.tenant == Self.platformTenant else {
            if let asked = request.header(Self.tenantHeader), asked != credential.tenant {
                throw HTTPError.forbidden("credential '\(credential.name)' belongs to another tenant than '\(asked)'")
            }
            return Principal(name: credential.name, tenant: credential.tenant, role: credential.role)
        }
        guard let tenant = request.header(Self.tenantHeader), Self.isTenantName(tenant) else {
            throw HTTPError.badRequest("a platform credential must name the tenant to act for in the X-WL-Tenant header")
        }
        return Principal(name: credential.name, tenant: tenant, role: credential.role, platform: true)
    }

    /// Stores a credential; the token itself is never stored.
    public static func register(token: String, name: String, tenant: String, role: Principal.Role, _ connection: PostgresConnection) throws {
        try connection.execute("""
            INSERT INTO api_tokens (token_sha256, name, tenant, role) VALUES ($1, $2, $3, $4)
            ON CONFLICT (token_sha256) DO UPDATE SET name = EXCLUDED.name, tenant = EXCLUDED.tenant, role = EXCLUDED.role
            """, [Sodium.hex(Sodium.sha256(token)), name, tenant, role.rawValue])
    }

    /// A new random token: 32 bytes, hex.
    public static func newToken() -> String { "wl_" + Sodium.hex(Sodium.randomBytes(32)) }

    public static func isTenantName(_ text: String) -> Bool {
        !text.isEmpty && text.count <= 64 && text.unicodeScalars.allSatisfy {
            ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" || $0 == "_"
        }
    }

    private func lookup(_ hash: String) async throws -> Credential {
        let now = ContinuousClock.now
        if let cached = cache.withLock({ $0[hash] }), now - cached.fetched < cacheLifetime { return cached }
        let found = try await database.withConnection { connection -> Credential? in
            let rows = try connection.query("SELECT name, tenant, role FROM api_tokens WHERE token_sha256 = $1", [hash])
            guard let row = rows.first, let role = Principal.Role(rawValue: try row.string("role")) else { return nil }
            return Credential(name: try row.string("name"), tenant: try row.string("tenant"), role: role, fetched: now)
        }
        guard let found else { throw HTTPError.unauthorized("unknown or revoked token") }
        cache.withLock { $0[hash] = found }
        return found
    }
}
