import Contracts
import Foundation
import HTTP
import Postgres
import Runtime
import Scheduling

/// The `schedules` table: one row per schedule of a workflow's latest version, holding its next
/// logical fire time. Rows change when a definition is applied, a calendar changes, a schedule is
/// paused or resumed, and when the leader fires it.
enum ScheduleStore {
    struct Row: Sendable {
        let tenant: String
        let workflow: String
        let spec: ScheduleDefinition
        let paused: Bool
        let nextFire: Date?
        let lastFire: Date?
    }

    /// Replaces the workflow's schedules with `definition`'s, inside the apply transaction.
    /// Unchanged schedules keep their state; new or changed ones start from `now`; a paused
    /// schedule stays paused. Throws 400 for a missing or empty calendar or a schedule that can
    /// never fire, so nothing of the apply is stored.
    static func sync(_ definition: WorkflowDefinition, version: Int, tenant: String, now: Date, _ connection: PostgresConnection) throws {
        let calendars = try CalendarStore.dates(Set(definition.schedules.flatMap(\.calendarNames)), tenant: tenant, connection)
        var existing: [String: ScheduleDefinition] = [:]
        for row in try connection.query("""
            SELECT schedule_id, spec::text AS spec FROM schedules WHERE tenant = $1 AND workflow = $2 FOR UPDATE
            """, [tenant, definition.name]) {
            existing[try row.string("schedule_id")] = try row.json("spec", as: ScheduleDefinition.self)
        }
        for schedule in definition.schedules {
            let rule = try rule(schedule, calendars: calendars)
            if existing.removeValue(forKey: schedule.id) == schedule {
                try connection.execute("""
                    UPDATE schedules SET workflow_version = $4 WHERE tenant = $1 AND workflow = $2 AND schedule_id = $3
                    """, [tenant, definition.name, schedule.id, version])
                continue
            }
            guard let next = rule.next(after: now) else {
                throw HTTPError.badRequest("schedule '\(schedule.id)' never fires after \(Timestamp.format(now)): check its cron, calendars, businessDay and end")
            }
            try connection.execute("""
                INSERT INTO schedules (tenant, workflow, schedule_id, workflow_version, spec, next_fire, next_due)
                VALUES ($1, $2, $3, $4, $5::jsonb, $6, $7)
                ON CONFLICT (tenant, workflow, schedule_id) DO UPDATE SET workflow_version = EXCLUDED.workflow_version,
                    spec = EXCLUDED.spec, next_fire = EXCLUDED.next_fire, next_due = EXCLUDED.next_due, updated_at = now()
                """, [tenant, definition.name, schedule.id, version, try encode(schedule), next,
                      due(next, schedule, tenant: tenant, workflow: definition.name)])
        }
        if !existing.isEmpty {
            try connection.execute("DELETE FROM schedules WHERE tenant = $1 AND workflow = $2 AND schedule_id = ANY($3)",
                                   [tenant, definition.name, Array(existing.keys)])
        }
    }

    /// The rule of `schedule`, reading the calendars it names from the tenant's.
    static func rule(_ schedule: ScheduleDefinition, tenant: String, _ connection: PostgresConnection) throws -> ScheduleRule {
        try rule(schedule, calendars: CalendarStore.dates(Set(schedule.calendarNames), tenant: tenant, connection))
    }

    /// The rule of `schedule` with the dates of the calendars it names.
    static func rule(_ schedule: ScheduleDefinition, calendars: [String: Set<LocalDate>]) throws -> ScheduleRule {
        do {
            return try schedule.rule(excludedDates: schedule.excludeCalendar.flatMap { calendars[$0] } ?? [],
                                     onlyDates: schedule.onlyCalendar.flatMap { calendars[$0] })
        } catch {
            throw HTTPError.badRequest(error.message)
        }
    }

    /// When the leader acts on a fire at `logicalTime`: later by the schedule's stable jitter.
    static func due(_ logicalTime: Date?, _ schedule: ScheduleDefinition, tenant: String, workflow: String) -> Date? {
        logicalTime.map { $0.addingTimeInterval(jitter(schedule, tenant: tenant, workflow: workflow)($0)) }
    }

    static func jitter(_ schedule: ScheduleDefinition, tenant: String, workflow: String) -> @Sendable (Date) -> TimeInterval {
        let (key, maximum) = ("\(tenant)/\(workflow)/\(schedule.id)", schedule.jitterSeconds)
        return { FireJitter.delay(key: key, logicalTime: $0, maximum: maximum) }
    }

    /// Moves a schedule to its next fire (nil: it has ended).
    static func advance(_ row: Row, next: Date?, lastFire: Date?, _ connection: PostgresConnection) throws {
        try connection.execute("""
            UPDATE schedules SET next_fire = $4, next_due = $5, last_fire = COALESCE($6, last_fire), updated_at = now()
            WHERE tenant = $1 AND workflow = $2 AND schedule_id = $3
            """, [row.tenant, row.workflow, row.spec.id, next, due(next, row.spec, tenant: row.tenant, workflow: row.workflow), lastFire])
    }

    static func decode(_ row: PostgresRow) throws -> Row {
        Row(tenant: try row.string("tenant"), workflow: try row.string("workflow"), spec: try row.json("spec", as: ScheduleDefinition.self),
            paused: try row.bool("paused"), nextFire: try row.optionalDate("next_fire"), lastFire: try row.optionalDate("last_fire"))
    }

    static let columns = "tenant, workflow, spec::text AS spec, paused, next_fire, last_fire"

    static func encode(_ schedule: ScheduleDefinition) throws -> String {
        String(decoding: try WireCoding.encode(schedule), as: UTF8.self)
    }
}
