import Postgres

/// The one shared Postgres schema, as numbered migrations every service applies at start (under an
/// advisory lock, so concurrent starts are safe). Append new versions; never edit an applied one.
public enum Schema {
    public static let migrations: [Migration] = [
        Migration(version: 1, name: "delivery", sql: delivery),
        Migration(version: 2, name: "workflows-and-runs", sql: workflowsAndRuns),
        Migration(version: 3, name: "dispatch", sql: dispatch),
        Migration(version: 4, name: "audit-cmdb-alerts", sql: auditCMDBAlerts),
        Migration(version: 5, name: "agent-sessions", sql: agentSessions),
        Migration(version: 6, name: "triggers", sql: triggers),
        Migration(version: 7, name: "workflow-engine", sql: workflowEngine),
        Migration(version: 8, name: "tenants", sql: tenants),
        Migration(version: 9, name: "governance", sql: governance),
        Migration(version: 10, name: "lease-timings", sql: leaseTimings),
        Migration(version: 11, name: "outbox-batches", sql: outboxBatches),
        Migration(version: 12, name: "hot-table-vacuum", sql: hotTableVacuum),
        Migration(version: 13, name: "audit-record-batches", sql: auditRecordBatches),
        Migration(version: 14, name: "task-instance-room", sql: taskInstanceRoom),
        Migration(version: 15, name: "outbox-bytes", sql: outboxBytes),
        Migration(version: 16, name: "ready-window", sql: readyWindow),
        Migration(version: 17, name: "audit-natural-key", sql: auditNaturalKey),
        Migration(version: 18, name: "audit-segments", sql: auditSegments),
        Migration(version: 19, name: "task-specs", sql: taskSpecs),
        Migration(version: 20, name: "lease-room", sql: leaseRoom),
        Migration(version: 21, name: "deferred-task-run-check", sql: deferredTaskRunCheck),
    ]

    /// Trigger-rule tallies, retries, outputs and sub-workflow links on task instances; parent
    /// links, pause and timing on runs; timers (retries, timeouts, deadlines) and cross-workflow
    /// waits. A timer is unique per (run, task, kind), so re-arming one replaces it.
    static let workflowEngine = """
        ALTER TABLE task_instances
            DROP COLUMN waiting_on,
            ADD COLUMN up_succeeded int NOT NULL DEFAULT 0,
            ADD COLUMN up_failed int NOT NULL DEFAULT 0,
            ADD COLUMN up_skipped int NOT NULL DEFAULT 0,
            ADD COLUMN failures int NOT NULL DEFAULT 0,
            ADD COLUMN outputs jsonb,
            ADD COLUMN child_run_id uuid,
            ADD COLUMN waits_open int NOT NULL DEFAULT 0,
            ADD COLUMN finished_by text;
        ALTER TABLE runs
            ADD COLUMN parent_run_id uuid,
            ADD COLUMN parent_task_id text,
            ADD COLUMN parent_attempt int,
            ADD COLUMN reason text,
            ADD COLUMN deadline_at timestamptz,
            ADD COLUMN reruns int NOT NULL DEFAULT 0;
        CREATE INDEX runs_by_parent ON runs (parent_run_id) WHERE parent_run_id IS NOT NULL;
        CREATE INDEX runs_succeeded ON runs (tenant, workflow, logical_time) WHERE state = 'succeeded';
        CREATE TABLE run_timers (
            run_id uuid NOT NULL,
            task_id text NOT NULL DEFAULT '',
            kind text NOT NULL,
            tenant text NOT NULL,
            due_at timestamptz NOT NULL,
            token int NOT NULL DEFAULT 0,
            PRIMARY KEY (run_id, task_id, kind)
        );
        CREATE INDEX run_timers_due ON run_timers (due_at);
        CREATE TABLE run_waits (
            run_id uuid NOT NULL,
            task_id text NOT NULL,
            upstream_workflow text NOT NULL,
            tenant text NOT NULL,
            window_start timestamptz NOT NULL,
            window_end timestamptz NOT NULL,
            met_by uuid,
            created_at timestamptz NOT NULL DEFAULT now(),
            PRIMARY KEY (run_id, task_id, upstream_workflow)
        );
        CREATE INDEX run_waits_open ON run_waits (tenant, upstream_workflow) WHERE met_by IS NULL;
        """

    /// Schedules and their fires, business calendars, scheduler leadership, webhook and Kafka-topic
    /// triggers. A fire is unique per (schedule, logical time): the primary key is what makes a
    /// leader change, a retried tick or a backfill over already-fired times unable to double a run.
    static let triggers = """
        CREATE TABLE calendars (
            tenant text NOT NULL,
            name text NOT NULL,
            description text,
            dates date[] NOT NULL,
            updated_by text NOT NULL,
            updated_at timestamptz NOT NULL DEFAULT now(),
            PRIMARY KEY (tenant, name)
        );
        CREATE TABLE schedules (
            tenant text NOT NULL,
            workflow text NOT NULL,
            schedule_id text NOT NULL,
            workflow_version int NOT NULL,
            spec jsonb NOT NULL,
            paused boolean NOT NULL DEFAULT false,
            next_fire timestamptz,
            next_due timestamptz,
            last_fire timestamptz,
            updated_at timestamptz NOT NULL DEFAULT now(),
            PRIMARY KEY (tenant, workflow, schedule_id)
        );
        CREATE INDEX schedules_due ON schedules (next_due) WHERE NOT paused AND next_due IS NOT NULL;
        CREATE TABLE schedule_fires (
            tenant text NOT NULL,
            workflow text NOT NULL,
            schedule_id text NOT NULL,
            logical_time timestamptz NOT NULL,
            source text NOT NULL CHECK (source IN ('schedule', 'backfill')),
            state text NOT NULL CHECK (state IN ('queued', 'started', 'skipped')),
            reason text,
            run_id uuid,
            fence bigint NOT NULL,
            requested_by text NOT NULL,
            created_at timestamptz NOT NULL DEFAULT now(),
            started_at timestamptz,
            PRIMARY KEY (tenant, workflow, schedule_id, logical_time)
        );
        CREATE INDEX schedule_fires_queued ON schedule_fires (tenant, workflow, logical_time) WHERE state = 'queued';
        CREATE TABLE scheduler_leadership (
            id int PRIMARY KEY CHECK (id = 1),
            fence bigint NOT NULL,
            holder text,
            acquired_at timestamptz
        );
        INSERT INTO scheduler_leadership (id, fence) VALUES (1, 0);
        CREATE INDEX run_requests_recent ON run_requests (tenant, workflow, created_at);
        CREATE INDEX runs_active ON runs (tenant, workflow) WHERE state IN ('queued', 'running');
        CREATE TABLE webhook_triggers (
            id uuid PRIMARY KEY,
            tenant text NOT NULL,
            workflow text NOT NULL,
            name text NOT NULL,
            secret text NOT NULL,
            created_by text NOT NULL,
            created_at timestamptz NOT NULL DEFAULT now(),
            UNIQUE (tenant, workflow, name)
        );
        CREATE TABLE event_triggers (
            tenant text NOT NULL,
            workflow text NOT NULL,
            trigger_id text NOT NULL,
            topic text NOT NULL,
            spec jsonb NOT NULL,
            active_since timestamptz NOT NULL DEFAULT now(),
            PRIMARY KEY (tenant, workflow, trigger_id)
        );
        CREATE INDEX event_triggers_by_topic ON event_triggers (topic);
        """

    /// Which agent process (session) holds a lease, and each agent's current session.
    static let agentSessions = """
        ALTER TABLE task_leases ADD COLUMN agent_session text;
        ALTER TABLE agent_liveness ADD COLUMN session text;
        """

    /// Outbox, processed-message dedupe, dead letters and credentials: the delivery machinery.
    static let delivery = """
        CREATE TABLE api_tokens (
            token_sha256 text PRIMARY KEY,
            name text NOT NULL,
            tenant text NOT NULL,
            role text NOT NULL CHECK (role IN ('admin', 'operator', 'viewer')),
            created_at timestamptz NOT NULL DEFAULT now()
        );
        CREATE TABLE outbox (
            id bigserial PRIMARY KEY,
            source text NOT NULL,
            topic text NOT NULL,
            key text,
            payload text NOT NULL,
            created_at timestamptz NOT NULL DEFAULT now()
        );
        CREATE INDEX outbox_by_source ON outbox (source, id);
        CREATE TABLE processed_messages (
            consumer text NOT NULL,
            message_id uuid NOT NULL,
            processed_at timestamptz NOT NULL DEFAULT now(),
            PRIMARY KEY (consumer, message_id)
        );
        CREATE TABLE dead_letters (
            id bigserial PRIMARY KEY,
            consumer text NOT NULL,
            topic text NOT NULL,
            partition int NOT NULL,
            "offset" bigint NOT NULL,
            error text NOT NULL,
            payload text NOT NULL,
            created_at timestamptz NOT NULL DEFAULT now()
        );
        """

    static let workflowsAndRuns = """
        CREATE TABLE workflows (
            tenant text NOT NULL,
            name text NOT NULL,
            version int NOT NULL,
            definition jsonb NOT NULL,
            definition_sha256 text NOT NULL,
            created_by text NOT NULL,
            created_at timestamptz NOT NULL DEFAULT now(),
            PRIMARY KEY (tenant, name, version)
        );
        CREATE TABLE run_requests (
            run_id uuid PRIMARY KEY,
            tenant text NOT NULL,
            workflow text NOT NULL,
            workflow_version int NOT NULL,
            parameters jsonb NOT NULL,
            source text NOT NULL,
            requested_by text NOT NULL,
            idempotency_key text,
            logical_time timestamptz NOT NULL,
            created_at timestamptz NOT NULL DEFAULT now()
        );
        CREATE UNIQUE INDEX run_requests_idempotency ON run_requests (tenant, idempotency_key)
            WHERE idempotency_key IS NOT NULL;
        CREATE TABLE runs (
            id uuid PRIMARY KEY,
            tenant text NOT NULL,
            workflow text NOT NULL,
            workflow_version int NOT NULL,
            state text NOT NULL,
            parameters jsonb NOT NULL,
            logical_time timestamptz NOT NULL,
            tasks_total int NOT NULL,
            tasks_open int NOT NULL,
            tasks_failed int NOT NULL DEFAULT 0,
            created_at timestamptz NOT NULL DEFAULT now(),
            finished_at timestamptz
        );
        CREATE INDEX runs_by_workflow ON runs (tenant, workflow, created_at DESC);
        CREATE TABLE task_instances (
            run_id uuid NOT NULL REFERENCES runs (id),
            task_id text NOT NULL,
            tenant text NOT NULL,
            position int NOT NULL,
            state text NOT NULL,
            attempt int NOT NULL DEFAULT 0,
            waiting_on int NOT NULL,
            exit_code int,
            reason text,
            agent_id text,
            output_tail text,
            updated_at timestamptz NOT NULL DEFAULT now(),
            PRIMARY KEY (run_id, task_id)
        );
        """

    static let dispatch = """
        CREATE TABLE task_leases (
            run_id uuid NOT NULL,
            task_id text NOT NULL,
            tenant text NOT NULL,
            pool text NOT NULL,
            attempt int NOT NULL,
            state text NOT NULL CHECK (state IN ('dispatched', 'running', 'done')),
            agent_id text,
            spec jsonb NOT NULL,
            dispatched_at timestamptz NOT NULL DEFAULT now(),
            updated_at timestamptz NOT NULL DEFAULT now(),
            PRIMARY KEY (run_id, task_id)
        );
        CREATE INDEX task_leases_running ON task_leases (agent_id) WHERE state = 'running';
        CREATE TABLE agent_liveness (
            agent_id text PRIMARY KEY,
            pool text NOT NULL,
            host text NOT NULL,
            last_seen timestamptz NOT NULL
        );
        """

    static let auditCMDBAlerts = """
        CREATE TABLE audit_log (
            id bigserial PRIMARY KEY,
            message_id uuid NOT NULL UNIQUE,
            tenant text NOT NULL,
            actor text NOT NULL,
            action text NOT NULL,
            subject_type text NOT NULL,
            subject_id text NOT NULL,
            run_id uuid,
            task_id text,
            from_state text,
            to_state text,
            details jsonb NOT NULL,
            occurred_at timestamptz NOT NULL,
            recorded_at timestamptz NOT NULL DEFAULT now()
        );
        CREATE INDEX audit_log_by_run ON audit_log (run_id, id) WHERE run_id IS NOT NULL;
        CREATE TABLE resources (
            id text PRIMARY KEY,
            class text NOT NULL,
            tenant text NOT NULL,
            host text NOT NULL,
            pool text,
            attributes jsonb NOT NULL DEFAULT '{}',
            first_seen timestamptz NOT NULL DEFAULT now(),
            last_seen timestamptz NOT NULL
        );
        CREATE TABLE alert_routes (
            tenant text PRIMARY KEY,
            webhook_url text NOT NULL,
            updated_at timestamptz NOT NULL DEFAULT now()
        );
        CREATE TABLE alert_deliveries (
            id bigserial PRIMARY KEY,
            alert_id uuid NOT NULL,
            tenant text NOT NULL,
            channel text NOT NULL,
            target text NOT NULL,
            payload text NOT NULL,
            state text NOT NULL CHECK (state IN ('pending', 'delivered', 'failed')),
            attempts int NOT NULL DEFAULT 0,
            next_attempt_at timestamptz NOT NULL DEFAULT now(),
            last_status int,
            last_error text,
            created_at timestamptz NOT NULL DEFAULT now(),
            delivered_at timestamptz,
            UNIQUE (alert_id, channel)
        );
        CREATE INDEX alert_deliveries_due ON alert_deliveries (next_attempt_at) WHERE state = 'pending';
        """
}
