import Contracts
import Foundation
import Governance
import Postgres
import ServiceKit

/// The configured limits, stored as JSON per scope: quotas per (tenant, pool) with pool '' for
/// the tenant as a whole, throttles per 'global' or 'pool:<name>', dedicated pools, and the
/// tenants' fair-share weights.
enum GovernanceSettingsStore {
    static let globalScope = "global"
    static func poolScope(_ pool: String) -> String { "pool:\(pool)" }

    static func load(_ connection: PostgresConnection) throws -> GovernanceSettings {
        var settings = GovernanceSettings()
        for row in try connection.query("SELECT tenant, pool, settings::text AS settings FROM quotas") {
            let pool = try row.string("pool")
            settings.quotas[QuotaScope(tenant: try row.string("tenant"), pool: pool.isEmpty ? nil : pool)] = try row.json("settings", as: Quota.self)
        }
        for row in try connection.query("SELECT scope, settings::text AS settings FROM throttles") {
            let scope = try row.string("scope"), throttle = try row.json("settings", as: Throttle.self)
            if scope == globalScope { settings.global = throttle } else if scope.hasPrefix("pool:") {
                settings.pools[String(scope.dropFirst("pool:".count))] = throttle
            }
        }
        for row in try connection.query("SELECT name, dedicated_to FROM pools WHERE dedicated_to IS NOT NULL") {
            settings.dedicated[try row.string("name")] = try row.string("dedicated_to")
        }
        for row in try connection.query("SELECT name, weight FROM tenants WHERE weight <> 1") {
            settings.weights[try row.string("name")] = try row.int("weight")
        }
        return settings
    }

    static func saveQuota(_ quota: Quota, for scope: QuotaScope, by actor: String, _ connection: PostgresConnection) throws {
        try connection.execute("""
            INSERT INTO quotas (tenant, pool, settings, updated_by) VALUES ($1, $2, $3::jsonb, $4)
            ON CONFLICT (tenant, pool) DO UPDATE SET settings = EXCLUDED.settings, updated_by = EXCLUDED.updated_by, updated_at = now()
            """, [scope.tenant, scope.pool ?? "", String(decoding: try WireCoding.encode(quota), as: UTF8.self), actor])
    }

    static func saveThrottle(_ throttle: Throttle, scope: String, by actor: String, _ connection: PostgresConnection) throws {
        try connection.execute("""
            INSERT INTO throttles (scope, settings, updated_by) VALUES ($1, $2::jsonb, $3)
            ON CONFLICT (scope) DO UPDATE SET settings = EXCLUDED.settings, updated_by = EXCLUDED.updated_by, updated_at = now()
            """, [scope, String(decoding: try WireCoding.encode(throttle), as: UTF8.self), actor])
    }
}
