extension Schema {
    /// The dispatcher's queue and limits. A lease row now starts `queued` (attempt 0) and gets its
    /// attempt number when a scheduling pass dispatches it to one agent; `lost` marks attempts
    /// whose agent went silent. Quotas (tenant-wide: pool ''), throttles (scope 'global' or
    /// 'pool:<name>'), dedicated pools, token buckets, daily counts and each tenant's outlook.
    static let governance = """
        ALTER TABLE task_leases DROP CONSTRAINT task_leases_state_check;
        ALTER TABLE task_leases ADD CONSTRAINT task_leases_state_check
            CHECK (state IN ('queued', 'dispatched', 'running', 'done', 'lost'));
        CREATE SEQUENCE task_queue_seq;
        ALTER TABLE task_leases
            ADD COLUMN priority int NOT NULL DEFAULT 5,
            ADD COLUMN queue_seq bigint NOT NULL DEFAULT nextval('task_queue_seq'),
            ADD COLUMN selector text,
            ADD COLUMN concurrency_key text,
            ADD COLUMN concurrency_limit int,
            ADD COLUMN wait_reason text,
            ADD COLUMN queued_at timestamptz NOT NULL DEFAULT now();
        CREATE INDEX task_leases_queue ON task_leases (tenant, priority DESC, queue_seq) WHERE state = 'queued';
        CREATE INDEX task_leases_active ON task_leases (tenant, pool) WHERE state IN ('dispatched', 'running');
        DROP INDEX task_leases_running;
        CREATE INDEX task_leases_by_agent ON task_leases (agent_id) WHERE state IN ('dispatched', 'running');
        ALTER TABLE agent_liveness
            ADD COLUMN pools text[] NOT NULL DEFAULT '{}',
            ADD COLUMN labels jsonb NOT NULL DEFAULT '{}',
            ADD COLUMN slots int NOT NULL DEFAULT 0,
            ADD COLUMN load double precision,
            ADD COLUMN draining boolean NOT NULL DEFAULT false,
            ADD COLUMN lost_at timestamptz;
        CREATE TABLE quotas (
            tenant text NOT NULL,
            pool text NOT NULL DEFAULT '',
            settings jsonb NOT NULL,
            updated_by text NOT NULL,
            updated_at timestamptz NOT NULL DEFAULT now(),
            PRIMARY KEY (tenant, pool)
        );
        CREATE TABLE throttles (
            scope text PRIMARY KEY,
            settings jsonb NOT NULL,
            updated_by text NOT NULL,
            updated_at timestamptz NOT NULL DEFAULT now()
        );
        CREATE TABLE pools (
            name text PRIMARY KEY,
            dedicated_to text,
            updated_by text NOT NULL,
            updated_at timestamptz NOT NULL DEFAULT now()
        );
        CREATE TABLE rate_buckets (
            scope text PRIMARY KEY,
            tokens double precision NOT NULL,
            refreshed_at double precision NOT NULL
        );
        CREATE TABLE daily_dispatches (
            tenant text NOT NULL,
            pool text NOT NULL,
            day date NOT NULL,
            count int NOT NULL,
            PRIMARY KEY (tenant, pool, day)
        );
        CREATE TABLE tenant_outlook (
            tenant text PRIMARY KEY,
            reason text,
            next_dispatch_at timestamptz,
            updated_at timestamptz NOT NULL DEFAULT now()
        );
        CREATE TABLE dispatcher_state (
            id int PRIMARY KEY CHECK (id = 1),
            last_pass_at timestamptz,
            ramp_started_at timestamptz,
            adjustment text
        );
        INSERT INTO dispatcher_state (id) VALUES (1);
        CREATE TABLE quota_alerts (
            tenant text NOT NULL,
            pool text NOT NULL,
            day date NOT NULL,
            PRIMARY KEY (tenant, pool, day)
        );
        -- Tenants read their own queue state through the API's row-level security (migration 8).
        SELECT wl_isolate_tenant_table(target)
        FROM unnest(ARRAY['quotas', 'daily_dispatches', 'tenant_outlook', 'quota_alerts']::regclass[]) AS target;
        GRANT USAGE ON SEQUENCE task_queue_seq TO wl_tenant;
        """

    /// When the agent reported the current attempt started and ended (the reports' own times):
    /// with `queued_at` and `dispatched_at` a lease row tells where an attempt's time went, which
    /// `make bench` reads for its latencies.
    static let leaseTimings = """
        ALTER TABLE task_leases ADD COLUMN started_at timestamptz, ADD COLUMN finished_at timestamptz;
        """
}
