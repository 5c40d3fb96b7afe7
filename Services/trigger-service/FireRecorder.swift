import Contracts
import Foundation
import Postgres
import Runtime
import Scheduling
import ServiceKit

/// Turns fires of one workflow into runs, inside one transaction that holds the workflow's fire
/// lock (so the ticker, a backfill and an apply never interleave on the same workflow).
struct FireRecorder {
    let tenant: String
    let workflow: String
    let fence: Int64
    let connection: PostgresConnection
    let outbox: Outbox
    let logger: Logger

    static let fired = Metrics.shared.counter("wl_schedule_fires_total", help: "Schedule fires recorded (started, queued or skipped)")
    static let dropped = Metrics.shared.counter("wl_schedule_misfires_dropped_total", help: "Missed fires dropped by the misfire policy")

    init(tenant: String, workflow: String, fence: Int64, connection: PostgresConnection, outbox: Outbox, logger: Logger) throws {
        self.tenant = tenant
        self.workflow = workflow
        self.fence = fence
        self.connection = connection
        self.outbox = outbox
        self.logger = logger
        try connection.execute("SELECT pg_advisory_xact_lock(hashtext($1))", ["fires/\(tenant)/\(workflow)"])
    }

    /// Fires one due schedule: plans its due fires at `now`, records each with the overlap
    /// decision, and moves the schedule to its next fire.
    func fireSchedule(_ scheduleID: String, now: Date) throws {
        guard let row = try connection.query("""
            SELECT \(ScheduleStore.columns) FROM schedules WHERE tenant = $1 AND workflow = $2 AND schedule_id = $3 AND NOT paused FOR UPDATE
            """, [tenant, workflow, scheduleID]).first.map(ScheduleStore.decode), let pending = row.nextFire else { return }
        let spec = row.spec
        let planner = FirePlanner(rule: try ScheduleStore.rule(spec, tenant: tenant, connection), misfire: spec.misfire,
                                  grace: TimeInterval(spec.misfireGraceSeconds), catchUpLimit: spec.effectiveCatchUpLimit,
                                  delay: ScheduleStore.jitter(spec, tenant: tenant, workflow: workflow))
        let plan = planner.plan(pending: pending, now: now)
        if plan.dropped > 0 {
            Self.dropped.increment(by: plan.dropped)
            logger.warning("missed schedule fires dropped by the misfire policy", [
                LogKey.tenant: tenant, LogKey.workflow: workflow, "schedule": spec.id, "misfire": spec.misfire.rawValue,
                "dropped": "\(plan.dropped)", "fired": "\(plan.fires.count)",
            ])
        }
        var state = try WorkflowRuns(tenant: tenant, workflow: workflow, connection)
        for logicalTime in plan.fires {
            let decision = OverlapDecision.decide(spec.overlap, active: state.active.count, queued: state.queued,
                                                  maxActiveRuns: state.maxActiveRuns)
            try record(Fire(scheduleID: spec.id, logicalTime: logicalTime, source: "schedule", parameters: spec.parameters),
                       decision, &state)
        }
        try ScheduleStore.advance(row, next: plan.next, lastFire: plan.fires.last, connection)
    }

    /// Starts queued fires, oldest first, while the workflow has room for them; returns how many.
    func drainQueue() throws -> Int {
        let policies = try SchedulePolicies(tenant: tenant, workflow: workflow, connection)
        var state = try WorkflowRuns(tenant: tenant, workflow: workflow, connection)
        let waiting = try connection.query("""
            SELECT schedule_id, logical_time, source FROM schedule_fires WHERE tenant = $1 AND workflow = $2 AND state = 'queued'
            ORDER BY logical_time, schedule_id LIMIT 1000 FOR UPDATE
            """, [tenant, workflow])
        var started = 0
        for row in waiting {
            let scheduleID = try row.string("schedule_id")
            let source = try row.string("source")
            let policy = source == "backfill" ? nil : policies.overlap[scheduleID]
            guard state.active.count < OverlapDecision.drainLimit(policy, maxActiveRuns: state.maxActiveRuns) else { break }
            let fire = Fire(scheduleID: scheduleID, logicalTime: try row.date("logical_time"), source: source,
                            parameters: policies.parameters[scheduleID] ?? [:])
            try start(fire, &state)
            started += 1
        }
        return started
    }

    /// Records backfill fires for the given logical times: new ones queue (the drain starts them
    /// as room allows); times already fired keep their run. Returns how many were new.
    func backfill(scheduleID: String, logicalTimes: [Date], requestedBy: String) throws -> Int {
        var created = 0
        for logicalTime in logicalTimes where try insert(scheduleID: scheduleID, logicalTime: logicalTime, source: "backfill",
                                                         state: "queued", reason: "backfill", requestedBy: requestedBy) {
            created += 1
        }
        return created
    }

    // MARK: - Fires

    struct Fire {
        let scheduleID: String
        let logicalTime: Date
        let source: String
        let parameters: [String: String]

        var requestedBy: String { "\(source):\(scheduleID)" }
        /// The run request's idempotency key: one run per (schedule, logical time), whichever way it came.
        func idempotencyKey(workflow: String) -> String { "fire:\(workflow)/\(scheduleID)@\(Timestamp.format(logicalTime))" }
    }

    private func record(_ fire: Fire, _ decision: OverlapDecision, _ state: inout WorkflowRuns) throws {
        switch decision {
        case .start, .cancelActiveAndStart:
            guard try insert(fire, state: "queued", reason: nil) else { return }
            if decision == .cancelActiveAndStart {
                for runID in state.active {
                    try RunRequests.cancel(runID, tenant: tenant, reason: "overlap: cancelPrevious (schedule \(fire.scheduleID))",
                                           requestedBy: fire.requestedBy, outbox)
                }
                state.active = []
            }
            try start(fire, &state)
        case .queue(let reason):
            if try insert(fire, state: "queued", reason: reason) { state.queued += 1 }
        case .skip(let reason):
            _ = try insert(fire, state: "skipped", reason: reason)
        }
        Self.fired.increment()
    }

    private func start(_ fire: Fire, _ state: inout WorkflowRuns) throws {
        let request = RunRequests.Request(tenant: tenant, workflow: workflow, parameters: fire.parameters, source: fire.source,
                                          requestedBy: fire.requestedBy, idempotencyKey: fire.idempotencyKey(workflow: workflow),
                                          logicalTime: fire.logicalTime, details: ["schedule": fire.scheduleID, "fence": "\(fence)"])
        let created: RunRequests.Created?
        do { created = try RunRequests.create(request, connection, outbox) } catch let refused as RunRequests.Refused {
            try setState(fire, state: "skipped", reason: refused.description, runID: nil)
            return
        }
        guard let run = created else {
            try setState(fire, state: "skipped", reason: "the workflow no longer exists", runID: nil)
            return
        }
        try setState(fire, state: "started", reason: nil, runID: run.id)
        state.active.append(run.id)
    }

    private func insert(_ fire: Fire, state: String, reason: String?) throws -> Bool {
        try insert(scheduleID: fire.scheduleID, logicalTime: fire.logicalTime, source: fire.source, state: state, reason: reason,
                   requestedBy: fire.requestedBy)
    }

    /// False when the fire already exists (a repeated tick, or a backfill over fired times).
    private func insert(scheduleID: String, logicalTime: Date, source: String, state: String, reason: String?,
                        requestedBy: String) throws -> Bool {
        try connection.execute("""
            INSERT INTO schedule_fires (tenant, workflow, schedule_id, logical_time, source, state, reason, fence, requested_by)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT DO NOTHING
            """, [tenant, workflow, scheduleID, logicalTime, source, state, reason, fence, requestedBy]) == 1
    }

    private func setState(_ fire: Fire, state: String, reason: String?, runID: UUID?) throws {
        try connection.execute("""
            UPDATE schedule_fires SET state = $5, reason = $6, run_id = $7, started_at = CASE WHEN $5 = 'started' THEN now() END
            WHERE tenant = $1 AND workflow = $2 AND schedule_id = $3 AND logical_time = $4
            """, [tenant, workflow, fire.scheduleID, fire.logicalTime, state, reason, runID])
    }
}

/// A workflow's runs as the overlap rules see them.
struct WorkflowRuns {
    var active: [UUID]
    var queued: Int
    let maxActiveRuns: Int?

    init(tenant: String, workflow: String, _ connection: PostgresConnection) throws {
        active = try RunRequests.active(tenant: tenant, workflow: workflow, connection)
        queued = try connection.query("""
            SELECT count(*)::int AS queued FROM schedule_fires WHERE tenant = $1 AND workflow = $2 AND state = 'queued'
            """, [tenant, workflow]).first?.int("queued") ?? 0
        maxActiveRuns = try connection.query("""
            SELECT (definition->>'maxActiveRuns')::int AS max FROM workflows WHERE tenant = $1 AND name = $2 ORDER BY version DESC LIMIT 1
            """, [tenant, workflow]).first?.optionalInt("max")
    }
}

/// The overlap policy and parameters of each current schedule of a workflow.
struct SchedulePolicies {
    var overlap: [String: OverlapPolicy] = [:]
    var parameters: [String: [String: String]] = [:]

    init(tenant: String, workflow: String, _ connection: PostgresConnection) throws {
        for row in try connection.query("SELECT spec::text AS spec FROM schedules WHERE tenant = $1 AND workflow = $2", [tenant, workflow]) {
            let spec = try row.json("spec", as: ScheduleDefinition.self)
            overlap[spec.id] = spec.overlap
            parameters[spec.id] = spec.parameters
        }
    }
}
