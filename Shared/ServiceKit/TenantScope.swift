import Postgres

/// Postgres row-level security as the second wall between tenants (the first is every query's
/// own `WHERE tenant = …`). Inside a scoped transaction the session runs as the NOLOGIN role
/// `wl_tenant` with `wl.tenant` set, and the policies of migration 8 hide and refuse every row of
/// another tenant; a query that forgot its tenant filter still sees only the caller's rows.
/// Both settings are transaction-local, so a pooled connection is back to the owner role when
/// the transaction ends, however it ends.
public enum TenantScope {
    public static let role = "wl_tenant"
    public static let setting = "wl.tenant"

    /// Makes the rest of the current transaction act as `tenant`.
    public static func enter(_ tenant: String, _ connection: PostgresConnection) throws {
        try connection.executeDeferred("SELECT set_config('wl.tenant', $1, true), set_config('role', 'wl_tenant', true)", [tenant])
    }

    /// Back to the owner role for the rest of the transaction (to write the outbox, which is
    /// the service's own table and not the tenant's).
    public static func leave(_ connection: PostgresConnection) throws {
        try connection.executeDeferred("SELECT set_config('role', 'none', true)")
    }
}

extension ServiceContext {
    /// The one way an API handler writes for a tenant: a transaction under `principal`'s tenant
    /// scope (see `TenantScope`) whose outbox messages are published right after it commits.
    /// Like `transaction`, `body` may run more than once (retried on serialization failures).
    public func tenantScoped<T: Sendable>(_ principal: Principal,
                                          _ body: @escaping @Sendable (PostgresConnection, Outbox) throws -> T) async throws -> T {
        let tenant = principal.tenant
        // No spilling: the outbox is written after leaving the scope (the tenant role may not).
        return try await database.transaction(source: process.name, spills: false, relay: relaySignal) { connection, outbox in
            try TenantScope.enter(tenant, connection)
            let value = try body(connection, outbox)
            try TenantScope.leave(connection)
            return value
        }
    }

    /// The one way an API handler reads for a tenant: `body` in a transaction under
    /// `principal`'s tenant scope.
    public func tenantRead<T: Sendable>(_ principal: Principal,
                                        _ body: @escaping @Sendable (PostgresConnection) throws -> T) async throws -> T {
        let tenant = principal.tenant
        return try await database.transaction { connection in
            try TenantScope.enter(tenant, connection)
            return try body(connection)
        }
    }
}
