import Foundation
import HTTP
import Postgres
import Sodium
import Synchronization

/// Bearer-token authentication. Tokens are stored as SHA-256 hashes; a platform credential
/// (tenant `*`) acts for the tenant named in the `X-WL-Tenant` header, which must exist; a tenant
/// credential acts only for its own tenant.
///
/// Lookups are cached for `cacheLifetime` so authentication costs no round trip on the hot path.
/// The lifetime is short because it is also how long a revoked token keeps working in a process
/// that did not revoke it; the revoking process forgets the token at once (`forget`).
public final class Authenticator: Sendable {
    public static let tenantHeader = "x-wl-tenant"
    public static let platformTenant = "*"
    public static let cacheLifetime: Duration = .seconds(5)
    /// Entries kept before the cache is emptied; only valid tokens and existing tenants get in.
    static let cacheCapacity = 10_000

    private struct Cached: Sendable {
        let credential: Credential
        let fetched: ContinuousClock.Instant
    }

    private let database: PostgresClient
    private let credentials = Mutex<[String: Cached]>([:])
    private let tenants = Mutex<[String: ContinuousClock.Instant]>([:])

    public init(database: PostgresClient) { self.database = database }

    /// The caller of a tenant API: the tenant credential's own tenant, or the existing tenant a
    /// platform credential names in `X-WL-Tenant` (404 when it does not exist).
    public func authenticate(_ request: HTTPRequest) async throws -> Principal {
        let credential = try await self.credential(request)
        guard credential.isPlatform else { return credential.ownPrincipal }
        guard let tenant = request.header(Self.tenantHeader), Self.isTenantName(tenant) else {
            throw HTTPError.badRequest("a platform credential must name the tenant to act for in the X-WL-Tenant header")
        }
        guard try await tenantExists(tenant) else { throw HTTPError.notFound("unknown tenant '\(tenant)'") }
        return Principal(name: credential.name, tenant: tenant, role: credential.role, isPlatform: true)
    }

    /// The credential behind `request`. A tenant credential naming another tenant in
    /// `X-WL-Tenant` is refused (403); a platform credential's header is not looked at here.
    public func credential(_ request: HTTPRequest) async throws -> Credential {
        guard let header = request.header("authorization"), header.lowercased().hasPrefix("bearer ") else {
            throw HTTPError.unauthorized("missing bearer token (Authorization: Bearer <token>)")
        }
        let token = String(header.dropFirst("bearer ".count)).trimmingCharacters(in: .whitespaces)
        let credential = try await lookup(Self.hash(token))
        if !credential.isPlatform, let asked = request.header(Self.tenantHeader), asked != credential.tenant {
            throw HTTPError.forbidden("credential '\(credential.name)' belongs to another tenant than '\(asked)'")
        }
        return credential
    }

    /// Whether tenant `name` exists. Only existing tenants are cached, so a tenant is usable the
    /// moment it is created.
    public func tenantExists(_ name: String) async throws -> Bool {
        let now = ContinuousClock.now
        if let fetched = tenants.withLock({ $0[name] }), now - fetched < Self.cacheLifetime { return true }
        let exists = try await database.withConnection { connection in
            try !connection.query("SELECT 1 FROM tenants WHERE name = $1", [name]).isEmpty
        }
        if exists { Self.store(name, now, in: tenants) }
        return exists
    }

    /// Drops cached lookups of tenant credential `name` of `tenant` (after revoking it).
    public func forget(tenant: String, name: String) {
        credentials.withLock { cache in
            cache = cache.filter { $0.value.credential.tenant != tenant || $0.value.credential.name != name }
        }
    }

    /// Stores a credential; the token itself is never stored.
    public static func register(token: String, name: String, tenant: String, role: Principal.Role, _ connection: PostgresConnection) throws {
        try connection.execute("""
            INSERT INTO api_tokens (token_sha256, name, tenant, role) VALUES ($1, $2, $3, $4)
            ON CONFLICT (token_sha256) DO UPDATE SET name = EXCLUDED.name, tenant = EXCLUDED.tenant, role = EXCLUDED.role
            """, [hash(token), name, tenant, role.rawValue])
    }

    /// What `api_tokens.token_sha256` holds for `token`.
    public static func hash(_ token: String) -> String { Sodium.hex(Sodium.sha256(token)) }

    /// A new random token: 32 bytes, hex.
    public static func newToken() -> String { "wl_" + Sodium.hex(Sodium.randomBytes(32)) }

    public static func isTenantName(_ text: String) -> Bool {
        !text.isEmpty && text.count <= 64 && text.unicodeScalars.allSatisfy {
            ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" || $0 == "_"
        }
    }

    private func lookup(_ hash: String) async throws -> Credential {
        let now = ContinuousClock.now
        if let cached = credentials.withLock({ $0[hash] }), now - cached.fetched < Self.cacheLifetime { return cached.credential }
        let found = try await database.withConnection { connection -> Credential? in
            let rows = try connection.query("SELECT name, tenant, role FROM api_tokens WHERE token_sha256 = $1", [hash])
            guard let row = rows.first, let role = Principal.Role(rawValue: try row.string("role")) else { return nil }
            return Credential(name: try row.string("name"), tenant: try row.string("tenant"), role: role)
        }
        guard let found else {
            credentials.withLock { _ = $0.removeValue(forKey: hash) }
            throw HTTPError.unauthorized("unknown or revoked token")
        }
        Self.store(hash, Cached(credential: found, fetched: now), in: credentials)
        return found
    }

    private static func store<Value: Sendable>(_ key: String, _ value: Value, in cache: borrowing Mutex<[String: Value]>) {
        cache.withLock { entries in
            if entries.count >= cacheCapacity { entries.removeAll() }
            entries[key] = value
        }
    }
}
