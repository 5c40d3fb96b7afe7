/// Migration 8: the tenants table and the row-level security that backs tenant scoping in the API.
///
/// Services connect as the schema owner, which RLS does not apply to (no FORCE), so consumers and
/// internal loops see every tenant as before. API handlers act for one tenant through
/// `ServiceContext.tenantScoped` / `tenantRead`, which switch the transaction to the NOLOGIN role
/// `wl_tenant` and set `wl.tenant`; for that role every tenant-owned table shows and accepts only
/// rows of that tenant. `wl_current_tenant()` raises when the setting is missing or empty (a pooled
/// session that ran a scoped transaction before keeps an empty placeholder), so a forgotten scope
/// fails with an error instead of reading anything.
///
/// A later migration that adds a tenant-owned table isolates it with
/// `SELECT wl_isolate_tenant_table('the_table');` (a test checks every table with a `tenant`
/// column has row-level security enabled).
extension Schema {
    /// Every table with a `tenant` column when this migration was written. Part of migration 8:
    /// never change it (isolate later tables in their own migration).
    static let tenantOwnedTables = [
        "workflows", "run_requests", "runs", "task_instances", "run_timers", "run_waits", "calendars", "schedules",
        "schedule_fires", "webhook_triggers", "event_triggers", "audit_log", "resources", "alert_routes",
        "alert_deliveries", "task_leases", "api_tokens",
    ]

    static let tenants = """
        CREATE TABLE tenants (
            name text PRIMARY KEY,
            display_name text,
            weight int NOT NULL DEFAULT 1 CHECK (weight BETWEEN 1 AND 1000),
            created_by text,
            created_at timestamptz NOT NULL DEFAULT now()
        );
        -- Tenants that already own data keep working after the upgrade ('platform' owns shared agents).
        INSERT INTO tenants (name, created_by)
        SELECT tenant, 'migration' FROM (
            SELECT tenant FROM workflows UNION SELECT tenant FROM run_requests UNION SELECT tenant FROM calendars
            UNION SELECT tenant FROM alert_routes UNION SELECT tenant FROM api_tokens
        ) AS owners WHERE tenant NOT IN ('*', 'platform')
        ON CONFLICT DO NOTHING;
        -- Tokens are revoked by name, so a name means one token within its tenant.
        CREATE UNIQUE INDEX api_tokens_by_name ON api_tokens (tenant, name) WHERE tenant <> '*';

        -- Roles are cluster-wide while migrations lock one database, so several databases of one
        -- cluster (a test cluster) may create the role at the same moment: the loser's duplicate is
        -- not an error. A non-superuser owner must be a member to SET ROLE to it.
        DO $$
        BEGIN
            IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'wl_tenant') THEN
                BEGIN
                    CREATE ROLE wl_tenant NOLOGIN NOBYPASSRLS;
                EXCEPTION WHEN duplicate_object OR unique_violation THEN
                    NULL;
                END;
            END IF;
            IF NOT pg_has_role(current_user, 'wl_tenant', 'MEMBER') THEN
                BEGIN
                    EXECUTE format('GRANT wl_tenant TO %I', current_user);
                EXCEPTION WHEN duplicate_object OR unique_violation THEN
                    NULL;
                END;
            END IF;
        END $$;

        CREATE FUNCTION wl_current_tenant() RETURNS text LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
        DECLARE
            tenant text := current_setting('wl.tenant', true);
        BEGIN
            IF tenant IS NULL OR tenant = '' THEN
                RAISE EXCEPTION 'no tenant is set for this transaction (wl.tenant); tenant-scoped access needs one'
                    USING ERRCODE = 'insufficient_privilege';
            END IF;
            RETURN tenant;
        END $$;
        GRANT EXECUTE ON FUNCTION wl_current_tenant() TO wl_tenant;

        -- The policy compares with a sub-select so the function runs once per statement (an
        -- InitPlan), not once per row.
        CREATE FUNCTION wl_isolate_tenant_table(target regclass) RETURNS void LANGUAGE plpgsql AS $$
        BEGIN
            EXECUTE format('ALTER TABLE %s ENABLE ROW LEVEL SECURITY', target);
            EXECUTE format('CREATE POLICY tenant_isolation ON %s TO wl_tenant '
                           'USING (tenant = (SELECT wl_current_tenant())) WITH CHECK (tenant = (SELECT wl_current_tenant()))', target);
            EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %s TO wl_tenant', target);
        END $$;
        SELECT wl_isolate_tenant_table(target) FROM unnest(ARRAY['\(tenantOwnedTables.joined(separator: "', '"))']::regclass[]) AS target;
        GRANT USAGE ON SEQUENCE audit_log_id_seq, alert_deliveries_id_seq TO wl_tenant;

        -- Agents of shared pools belong to 'platform' and every tenant may read them.
        CREATE POLICY platform_resources ON resources FOR SELECT TO wl_tenant USING (tenant = 'platform');

        -- A tenant sees its own tenant row; only the platform (the owner) lists or creates tenants.
        ALTER TABLE tenants ENABLE ROW LEVEL SECURITY;
        CREATE POLICY tenant_isolation ON tenants FOR SELECT TO wl_tenant USING (name = (SELECT wl_current_tenant()));
        GRANT SELECT ON tenants TO wl_tenant;
        """
}
