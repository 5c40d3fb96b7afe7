import Contracts
import Foundation
import HTTP
import Postgres
import Runtime
import Scheduling
import ServiceKit

/// `/v1/schedules`: list with next fire times, pause, resume, fire history; and
/// `POST /v1/workflows/:name/backfill`.
struct ScheduleRoutes: Sendable {
    let context: ServiceContext
    static let maxBackfillFires = 10_000

    struct Summary: Codable, Sendable {
        let workflow: String
        let id: String
        let cron: String
        let timezone: String
        let paused: Bool
        let overlap: String
        let misfire: String
        let nextFire: Date?
        /// The next fire in the schedule's own zone, with its offset.
        let nextFireLocal: String?
        let lastFire: Date?
    }

    struct FireRecord: Codable, Sendable {
        let logicalTime: Date
        let source: String
        let state: String
        let reason: String?
        let runID: UUID?
        let createdAt: Date
    }

    struct BackfillRequest: Codable, Sendable {
        let from: String
        let to: String
        let schedule: String?
    }

    struct BackfillResult: Codable, Sendable {
        let workflow: String
        /// Fires in the range.
        let fires: Int
        /// Fires newly queued by this backfill; the rest had already fired (or been backfilled).
        let created: Int
    }

    @Sendable func list(_ request: HTTPRequest) async throws -> HTTPResponse {
        let principal = try await context.principal(request)
        let workflow = request.query["workflow"]
        let schedules = try await context.tenantRead(principal) { connection in
            try connection.query("""
                SELECT \(ScheduleStore.columns) FROM schedules WHERE tenant = $1 AND ($2::text IS NULL OR workflow = $2)
                ORDER BY workflow, schedule_id
                """, [principal.tenant, workflow]).map(ScheduleStore.decode).map(Self.summary)
        }
        return .json(["schedules": schedules])
    }

    @Sendable func pause(_ request: HTTPRequest) async throws -> HTTPResponse { try await setPaused(request, true) }

    /// Resuming starts from now: fires that fell in the pause are not caught up (that is what
    /// pausing means; use backfill for them).
    @Sendable func resume(_ request: HTTPRequest) async throws -> HTTPResponse { try await setPaused(request, false) }

    /// A schedule's fires, newest first; 404 when the tenant has neither the schedule nor any
    /// fire of it (a schedule removed from its definition keeps its history).
    @Sendable func fires(_ request: HTTPRequest) async throws -> HTTPResponse {
        let principal = try await context.principal(request)
        let (workflow, id) = (try request.parameter("workflow"), try request.parameter("id"))
        let limit = min(max(Int(request.query["limit"] ?? "") ?? 50, 1), 1_000)
        let fires = try await context.tenantRead(principal) { connection -> [FireRecord]? in
            let fires = try connection.query("""
                SELECT logical_time, source, state, reason, run_id, created_at FROM schedule_fires
                WHERE tenant = $1 AND workflow = $2 AND schedule_id = $3 ORDER BY logical_time DESC LIMIT $4
                """, [principal.tenant, workflow, id, limit]).map { row in
                FireRecord(logicalTime: try row.date("logical_time"), source: try row.string("source"), state: try row.string("state"),
                           reason: try row.optionalString("reason"), runID: try row.optionalUUID("run_id"), createdAt: try row.date("created_at"))
            }
            guard fires.isEmpty else { return fires }
            let exists = try !connection.query("SELECT 1 FROM schedules WHERE tenant = $1 AND workflow = $2 AND schedule_id = $3",
                                               [principal.tenant, workflow, id]).isEmpty
            return exists ? [] : nil
        }
        guard let fires else { throw HTTPError.notFound("workflow '\(workflow)' has no schedule '\(id)'") }
        return .json(["fires": fires])
    }

    /// Queues a run for every fire of the workflow's schedules (or one of them) in [from, to].
    /// A fire is unique per schedule and logical time, so repeating a backfill, or backfilling
    /// times the scheduler already fired, creates nothing twice.
    @Sendable func backfill(_ request: HTTPRequest) async throws -> HTTPResponse {
        let principal = try await context.principal(request)
        try principal.requireWrite()
        let workflow = try request.parameter("name")
        let body = try request.decodeStrict(BackfillRequest.self, allowed: ["from", "to", "schedule"])
        let result = try await context.tenantScoped(principal) { connection, outbox -> BackfillResult in
            let rows = try connection.query("""
                SELECT \(ScheduleStore.columns) FROM schedules WHERE tenant = $1 AND workflow = $2 AND ($3::text IS NULL OR schedule_id = $3)
                ORDER BY schedule_id
                """, [principal.tenant, workflow, body.schedule]).map(ScheduleStore.decode)
            guard !rows.isEmpty else {
                throw HTTPError.notFound(body.schedule.map { "workflow '\(workflow)' has no schedule '\($0)'" } ?? "workflow '\(workflow)' has no schedules")
            }
            let recorder = try FireRecorder(tenant: principal.tenant, workflow: workflow, fence: 0, connection: connection,
                                            outbox: outbox, logger: context.logger)
            var (total, created) = (0, 0)
            for row in rows {
                let times = try Self.fireTimes(row, from: body.from, to: body.to, limit: Self.maxBackfillFires - total + 1, connection)
                total += times.count
                guard total <= Self.maxBackfillFires else {
                    throw HTTPError.badRequest("the range holds more than \(Self.maxBackfillFires) fires; backfill it in parts")
                }
                created += try recorder.backfill(scheduleID: row.spec.id, logicalTimes: times, requestedBy: principal.name)
            }
            try outbox.audit(AuditRecord(actor: principal.name, action: "workflow.backfill", subjectType: "workflow", subjectID: workflow,
                                           details: ["from": body.from, "to": body.to, "fires": "\(total)", "created": "\(created)"]),
                               tenant: principal.tenant, key: principal.tenant)
            return BackfillResult(workflow: workflow, fires: total, created: created)
        }
        context.logger.info("backfill queued", [LogKey.tenant: principal.tenant, LogKey.workflow: workflow,
                                                "fires": "\(result.fires)", "created": "\(result.created)"])
        return .json(result, status: 202)
    }

    private static func fireTimes(_ row: ScheduleStore.Row, from: String, to: String, limit: Int,
                                  _ connection: PostgresConnection) throws -> [Date] {
        let zone = row.spec.timeZone
        guard let start = ISO8601Local.parse(from, in: zone) else { throw HTTPError.badRequest("'from' is not an ISO-8601 date or time: '\(from)'") }
        guard let end = ISO8601Local.parse(to, in: zone) else { throw HTTPError.badRequest("'to' is not an ISO-8601 date or time: '\(to)'") }
        guard start <= end else { throw HTTPError.badRequest("'from' must not be after 'to'") }
        return try ScheduleStore.rule(row.spec, tenant: row.tenant, connection).fires(after: start.addingTimeInterval(-0.001), through: end, limit: limit)
    }

    private func setPaused(_ request: HTTPRequest, _ paused: Bool) async throws -> HTTPResponse {
        let principal = try await context.principal(request)
        try principal.requireWrite()
        let (workflow, id) = (try request.parameter("workflow"), try request.parameter("id"))
        let summary = try await context.tenantScoped(principal) { connection, outbox -> Summary? in
            guard let row = try connection.query("""
                SELECT \(ScheduleStore.columns) FROM schedules WHERE tenant = $1 AND workflow = $2 AND schedule_id = $3 FOR UPDATE
                """, [principal.tenant, workflow, id]).first.map(ScheduleStore.decode) else { return nil }
            var next = row.nextFire
            if !paused && row.paused {
                next = try ScheduleStore.rule(row.spec, tenant: principal.tenant, connection).next(after: Date())
            }
            try connection.execute("UPDATE schedules SET paused = $4 WHERE tenant = $1 AND workflow = $2 AND schedule_id = $3",
                                   [principal.tenant, workflow, id, paused])
            try ScheduleStore.advance(row, next: next, lastFire: nil, connection)
            try outbox.audit(AuditRecord(actor: principal.name, action: paused ? "schedule.pause" : "schedule.resume",
                                           subjectType: "schedule", subjectID: "\(workflow)/\(id)"),
                               tenant: principal.tenant, key: principal.tenant)
            return Self.summary(ScheduleStore.Row(tenant: row.tenant, workflow: workflow, spec: row.spec, paused: paused,
                                                  nextFire: next, lastFire: row.lastFire))
        }
        guard let summary else { throw HTTPError.notFound("workflow '\(workflow)' has no schedule '\(id)'") }
        return .json(summary)
    }

    static func summary(_ row: ScheduleStore.Row) -> Summary {
        let zone = row.spec.timeZone
        return Summary(workflow: row.workflow, id: row.spec.id, cron: row.spec.cron, timezone: row.spec.timezone, paused: row.paused,
                       overlap: row.spec.overlap.rawValue, misfire: row.spec.misfire.rawValue, nextFire: row.nextFire,
                       nextFireLocal: row.nextFire.map { ISO8601Local.format($0, in: zone) }, lastFire: row.lastFire)
    }
}
