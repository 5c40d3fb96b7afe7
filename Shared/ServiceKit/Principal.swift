import HTTP

/// Who is calling: the credential's name, the tenant it acts for and its role.
public struct Principal: Sendable, Equatable {
    public enum Role: String, Sendable, CaseIterable { case admin, `operator`, viewer }

    public let name: String
    /// The tenant every read and write of this request is scoped to.
    public let tenant: String
    public let role: Role
    /// True for a platform credential (tenant `*`) acting for `tenant` through `X-WL-Tenant`.
    public let isPlatform: Bool

    public init(name: String, tenant: String, role: Role, isPlatform: Bool = false) {
        self.name = name
        self.tenant = tenant
        self.role = role
        self.isPlatform = isPlatform
    }

    /// Rejects callers whose role may not change state.
    public func requireWrite() throws(HTTPError) {
        guard role != .viewer else { throw HTTPError.forbidden("credential '\(name)' may only read") }
    }

    /// Rejects callers that may not manage their tenant (issue or revoke credentials).
    public func requireAdmin() throws(HTTPError) {
        guard role == .admin else { throw HTTPError.forbidden("credential '\(name)' is not an admin (role \(role.rawValue))") }
    }
}

/// A stored credential as authentication found it, before a tenant is chosen: what the tenant
/// administration routes look at, where a platform credential needs no `X-WL-Tenant`.
public struct Credential: Sendable, Equatable {
    public let name: String
    /// The credential's tenant; `*` for a platform credential.
    public let tenant: String
    public let role: Principal.Role

    public init(name: String, tenant: String, role: Principal.Role) {
        self.name = name
        self.tenant = tenant
        self.role = role
    }

    public var isPlatform: Bool { tenant == Authenticator.platformTenant }

    /// Rejects callers other than a platform administrator (platform-wide settings such as
    /// quotas, throttles, pools and agents), which need no `X-WL-Tenant`.
    public func requirePlatformAdmin() throws(HTTPError) {
        guard isPlatform, role == .admin else {
            throw HTTPError.forbidden("credential '\(name)' is not a platform administrator")
        }
    }

    /// A tenant credential as the principal of its own tenant.
    public var ownPrincipal: Principal { Principal(name: name, tenant: tenant, role: role, isPlatform: isPlatform) }
}
