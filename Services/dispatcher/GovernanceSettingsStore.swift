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

    /// The settings as four JSON columns (`quotas`, `throttles`, `pools`, `weights`), for a
    /// SELECT list: the scheduling pass reads them in the same round trip as its counts.
    static let columns = """
        (SELECT coalesce(json_agg(json_build_object('tenant', tenant, 'pool', pool, 'settings', settings)), '[]') FROM quotas)::text AS quotas,
        (SELECT coalesce(json_agg(json_build_object('scope', scope, 'settings', settings)), '[]') FROM throttles)::text AS throttles,
        (SELECT coalesce(json_agg(json_build_object('name', name, 'tenant', dedicated_to)), '[]')
            FROM pools WHERE dedicated_to IS NOT NULL)::text AS pools,
        (SELECT coalesce(json_agg(json_build_object('name', name, 'weight', weight)), '[]') FROM tenants WHERE weight <> 1)::text AS weights
        """

    private struct QuotaRow: Decodable { let tenant: String, pool: String, settings: Quota }
    private struct ThrottleRow: Decodable { let scope: String, settings: Throttle }
    private struct PoolRow: Decodable { let name: String, tenant: String }
    private struct WeightRow: Decodable { let name: String, weight: Int }

    /// The settings from a row that has `columns`.
    static func settings(from row: PostgresRow) throws -> GovernanceSettings {
        var settings = GovernanceSettings()
        for quota in try row.json("quotas", as: [QuotaRow].self) {
            settings.quotas[QuotaScope(tenant: quota.tenant, pool: quota.pool.isEmpty ? nil : quota.pool)] = quota.settings
        }
        for throttle in try row.json("throttles", as: [ThrottleRow].self) {
            if throttle.scope == globalScope { settings.global = throttle.settings } else if throttle.scope.hasPrefix("pool:") {
                settings.pools[String(throttle.scope.dropFirst("pool:".count))] = throttle.settings
            }
        }
        for pool in try row.json("pools", as: [PoolRow].self) { settings.dedicated[pool.name] = pool.tenant }
        for weight in try row.json("weights", as: [WeightRow].self) { settings.weights[weight.name] = weight.weight }
        return settings
    }

    static func load(_ connection: PostgresConnection) throws -> GovernanceSettings {
        guard let row = try connection.query("SELECT \(columns)").first else { return GovernanceSettings() }
        return try settings(from: row)
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
