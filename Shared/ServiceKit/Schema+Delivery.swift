extension Schema {
    /// One outbox row per flush instead of one per message: a transaction's messages are stored
    /// as three parallel arrays (topic, key, payload) with their count, in publish order. A
    /// consumer batch publishes hundreds of messages; as rows, each cost an insert, a delete and
    /// two index entries — most of the rows Postgres wrote per task. The payload array is
    /// compressed with lz4 (cheap, and JSON shrinks well) when it is moved out of line.
    /// Rows written before this migration become one-message batches, so nothing is lost.
    static let outboxBatches = """
        ALTER TABLE outbox ADD COLUMN messages int, ADD COLUMN topics text[], ADD COLUMN keys text[],
            ADD COLUMN payloads text[];
        UPDATE outbox SET messages = 1, topics = ARRAY[topic], keys = ARRAY[key], payloads = ARRAY[payload];
        ALTER TABLE outbox DROP COLUMN topic, DROP COLUMN key, DROP COLUMN payload,
            ALTER COLUMN messages SET NOT NULL, ALTER COLUMN topics SET NOT NULL,
            ALTER COLUMN keys SET NOT NULL, ALTER COLUMN payloads SET NOT NULL,
            ALTER COLUMN payloads SET COMPRESSION lz4;
        ALTER TABLE outbox ADD CONSTRAINT outbox_batch_shape CHECK (messages > 0
            AND cardinality(topics) = messages AND cardinality(keys) = messages AND cardinality(payloads) = messages);
        """
}

extension Schema {
    /// Vacuum the hot tables early. Leases, task instances, runs, timers and the outbox change
    /// state many times per task; every change leaves a dead row version and, where the change
    /// moves a row in or out of a partial index (a lease going `queued` → `dispatched` →
    /// `running` → `done`), dead index entries that each scan of that index still visits until
    /// a vacuum removes them. Measured after a 20,000-task run: the pass's count of running
    /// attempts visited 53,000 dead entries of `task_leases_by_agent` for 0 live ones (7.7 ms
    /// per pass, most of a pass's time). Postgres's default waits for 20% of a table to be dead;
    /// here a fixed 2,000 rows starts a vacuum, and it runs without cost-based pauses.
    /// (A deployment should also lower `autovacuum_naptime`, a server setting; see
    /// docs/performance.md.)
    static let hotTableVacuum = """
        ALTER TABLE task_leases SET (autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 2000,
            autovacuum_vacuum_cost_delay = 0, autovacuum_analyze_scale_factor = 0.05);
        ALTER TABLE task_instances SET (autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 2000,
            autovacuum_vacuum_cost_delay = 0, autovacuum_analyze_scale_factor = 0.05);
        ALTER TABLE runs SET (autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 2000, autovacuum_vacuum_cost_delay = 0);
        ALTER TABLE run_timers SET (autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 2000, autovacuum_vacuum_cost_delay = 0);
        ALTER TABLE outbox SET (autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 500, autovacuum_vacuum_cost_delay = 0);
        """
}

extension Schema {
    /// Audit records may arrive several to a message (a `MessageGroup`): each is stored once under
    /// (message id, place in the message); a record sent alone has place 0.
    static let auditRecordBatches = """
        ALTER TABLE audit_log ADD COLUMN seq int NOT NULL DEFAULT 0;
        ALTER TABLE audit_log DROP CONSTRAINT audit_log_message_id_key;
        ALTER TABLE audit_log ADD CONSTRAINT audit_log_message_seq UNIQUE (message_id, seq);
        """
}

extension Schema {
    /// A task instance is updated three or four times in its life (ready, dispatched, ended,
    /// upstream counters), never in its key. With free room on its page Postgres updates it in
    /// place (a HOT update: no new primary-key entry, less WAL, less for vacuum); with full pages
    /// (the default) only 7% of the updates were HOT after a 20,000-task run. Leases change
    /// `state`, which their partial indexes name, so their updates can never be HOT: no change.
    static let taskInstanceRoom = """
        ALTER TABLE task_instances SET (fillfactor = 70);
        """
}

extension Schema {
    /// How many payload bytes an outbox row holds, so the relay can take rows up to a byte
    /// budget as well as a message count: since messages travel in groups of up to 64 KiB, 2,000
    /// messages could be 128 MiB held at once (`OutboxRelay`). Rows written before this
    /// migration count as empty and are bounded by their message count alone.
    static let outboxBytes = """
        ALTER TABLE outbox ADD COLUMN bytes int NOT NULL DEFAULT 0;
        """
}

extension Schema {
    /// The resolver's ready window (`ReadyWindow`): how many of a run's tasks are ready and not
    /// yet dispatched, and how many are held for room, kept on the run's row by the engine's own
    /// statements. Existing runs start at zero: a count too low only lets a run send more
    /// before the next recount.
    static let readyWindow = """
        ALTER TABLE runs ADD COLUMN window_ready int NOT NULL DEFAULT 0, ADD COLUMN window_held int NOT NULL DEFAULT 0;
        """
}

extension Schema {
    /// Audit records are keyed by where they came from, (message id, place in the message): that
    /// pair becomes the primary key, and `id` (still from its sequence, still ordering the
    /// records of a run) loses the index nothing looked it up by. Three index entries per record
    /// become two: the audit insert, the largest statement of a run, wrote 12% less WAL and
    /// took ~6% less time over a 100,000-task run's records (docs/performance.md, item 54).
    static let auditNaturalKey = """
        ALTER TABLE audit_log DROP CONSTRAINT audit_log_pkey;
        ALTER TABLE audit_log DROP CONSTRAINT audit_log_message_seq, ADD CONSTRAINT audit_log_pkey PRIMARY KEY (message_id, seq);
        """
}

extension Schema {
    /// The audit trail stored a row per message's run, not a row per record (`audit_segments`):
    /// a segment is a message's consecutive records about one run (or about none), kept as the
    /// JSON they were sent in, lz4-compressed. A record is still known by (message id, place in
    /// the message): place = `first_seq` + its place in the segment. A message carries the
    /// records one transaction wrote for one run, ~48 of them in a 100,000-task run, so rows,
    /// index entries and WAL drop by that factor: storing 290,000 records took 0.7 s instead of
    /// 8 s, and 13 MB of WAL instead of 290 MB (docs/performance.md, item 55). Reading unpacks
    /// the JSON, which the rare audit query can afford.
    ///
    /// Existing records move over: the consecutive records of a message about one run become a
    /// segment, so a message delivered again after the upgrade is cut the same way and skipped.
    static let auditSegments = """
        CREATE TABLE audit_segments (
            id bigserial NOT NULL,
            message_id uuid NOT NULL,
            first_seq int NOT NULL,
            tenant text NOT NULL,
            run_id uuid,
            occurred_at timestamptz NOT NULL,
            records json NOT NULL,
            recorded_at timestamptz NOT NULL DEFAULT now(),
            PRIMARY KEY (message_id, first_seq)
        );
        ALTER TABLE audit_segments ALTER COLUMN records SET COMPRESSION lz4;
        CREATE INDEX audit_segments_by_run ON audit_segments (run_id, id) WHERE run_id IS NOT NULL;
        CREATE INDEX audit_segments_by_tenant ON audit_segments (tenant, id);
        INSERT INTO audit_segments (message_id, first_seq, tenant, run_id, occurred_at, records, recorded_at)
        SELECT message_id, min(seq), min(tenant), run_id, min(occurred_at),
            json_agg(json_build_object('actor', actor, 'action', action, 'subjectType', subject_type, 'subjectID', subject_id,
                'runID', run_id, 'taskID', task_id, 'fromState', from_state, 'toState', to_state, 'details', details,
                'occurredAt', occurred_at) ORDER BY seq),
            min(recorded_at)
        FROM (SELECT *, seq - row_number() OVER (PARTITION BY message_id, run_id ORDER BY seq) AS island FROM audit_log) AS records
        GROUP BY message_id, run_id, island
        ORDER BY min(id);
        SELECT wl_isolate_tenant_table('audit_segments');
        GRANT USAGE ON SEQUENCE audit_segments_id_seq TO wl_tenant;
        DROP TABLE audit_log;
        """
}

extension Schema {
    /// A task's spec (command, environment, …) moves out of its lease into `task_specs`: the
    /// dispatcher writes it once when the task is queued and reads it once when dispatching,
    /// while the lease row is updated three times more (dispatched, running, ended), each update
    /// a new copy of the row. Without the spec the row is half as wide: a queue-to-done cycle
    /// of 40,000 leases wrote 22% less WAL and took ~20% less time (docs/performance.md,
    /// item 56). The spec is kept as `json`, the text it arrived as: nothing queries inside it,
    /// so `jsonb`'s parse on the way in and print on the way out bought nothing.
    ///
    /// No `tenant` column and no grant to `wl_tenant`: only the dispatcher reads it, as the
    /// owner; tenants see their tasks through the lease and the run.
    static let taskSpecs = """
        CREATE TABLE task_specs (
            run_id uuid NOT NULL,
            task_id text NOT NULL,
            spec json NOT NULL,
            PRIMARY KEY (run_id, task_id)
        );
        INSERT INTO task_specs (run_id, task_id, spec) SELECT run_id, task_id, spec::json FROM task_leases;
        ALTER TABLE task_leases DROP COLUMN spec;
        """
}

extension Schema {
    /// A lease is written three times (queued, dispatched, done) and every change names `state`,
    /// which its partial indexes name too, so none is HOT. With full pages (the default) each
    /// new version also went to another page, and Postgres first logs a lock on the old version
    /// so it can let go of that page while it finds room elsewhere: 2 WAL records a change instead
    /// of one, and two heap pages dirtied (`pg_walinspect` over 4 s of orchestration: 51,550
    /// lock records for 54,060 updates). With free room the new version stays on the page the
    /// old one is on (docs/performance.md, item 62).
    static let leaseRoom = """
        ALTER TABLE task_leases SET (fillfactor = 70);
        """
}

extension Schema {
    /// A task instance's reference to its run is checked at commit rather than per statement.
    /// A new run inserts its task instances and, in the same transaction, readies or holds most
    /// of them; Postgres checks the key of a row updated in the transaction that inserted it
    /// again, so every such task was checked twice (400,000 checks for 200,000 tasks, ~4% of
    /// Postgres's time). At commit, a row version that has been updated since is no longer
    /// checked, only the live one: one check a task (docs/performance.md, item 62).
    static let deferredTaskRunCheck = """
        ALTER TABLE task_instances ALTER CONSTRAINT task_instances_run_id_fkey DEFERRABLE INITIALLY DEFERRED;
        """
}
