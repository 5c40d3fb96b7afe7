import Contracts
import Foundation
import HTTP
import Postgres
import Runtime
import Scheduling
import ServiceKit

/// `/v1/calendars`: a tenant's business calendars. Changing one moves the next fire of every
/// schedule that names it, in the same transaction.
struct CalendarRoutes: Sendable {
    let context: ServiceContext
    static let maxDates = 10_000

    struct Body: Codable, Sendable {
        let description: String?
        let dates: [String]
    }

    struct Calendar: Codable, Sendable {
        let name: String
        let description: String?
        let dates: [String]
        let updatedBy: String
        let updatedAt: Date
    }

    @Sendable func put(_ request: HTTPRequest) async throws -> HTTPResponse {
        let principal = try await context.principal(request)
        try principal.requireWrite()
        let name = try request.parameter("name")
        guard DefinitionNames.isIdentifier(name) else { throw HTTPError.badRequest("invalid calendar name '\(name)'") }
        let body = try request.decodeStrict(Body.self, allowed: ["description", "dates"])
        guard !body.dates.isEmpty else { throw HTTPError.badRequest("a calendar needs at least one date") }
        guard body.dates.count <= Self.maxDates else { throw HTTPError.badRequest("at most \(Self.maxDates) dates") }
        var dates: [LocalDate] = []
        for text in body.dates {
            guard let date = LocalDate(text) else { throw HTTPError.badRequest("'\(text)' is not a date (YYYY-MM-DD)") }
            dates.append(date)
        }
        let sorted = Set(dates).sorted().map(\.description)
        try await context.tenantScoped(principal) { connection, outbox in
            try connection.execute("""
                INSERT INTO calendars (tenant, name, description, dates, updated_by) VALUES ($1, $2, $3, $4::text[]::date[], $5)
                ON CONFLICT (tenant, name) DO UPDATE SET description = EXCLUDED.description, dates = EXCLUDED.dates,
                    updated_by = EXCLUDED.updated_by, updated_at = now()
                """, [principal.tenant, name, body.description, sorted, principal.name])
            try Self.reschedule(calendar: name, tenant: principal.tenant, now: Date(), connection)
            try outbox.audit(AuditRecord(actor: principal.name, action: "calendar.put", subjectType: "calendar", subjectID: name,
                                           details: ["dates": "\(sorted.count)"]),
                               tenant: principal.tenant, key: principal.tenant)
        }
        return .json(["name": name, "dates": "\(sorted.count)"])
    }

    @Sendable func list(_ request: HTTPRequest) async throws -> HTTPResponse {
        let principal = try await context.principal(request)
        let calendars = try await context.tenantRead(principal) { connection in
            try connection.query("""
                SELECT name, description, to_json(dates)::text AS dates, updated_by, updated_at FROM calendars WHERE tenant = $1 ORDER BY name
                """, [principal.tenant]).map(Self.decode)
        }
        return .json(["calendars": calendars])
    }

    @Sendable func show(_ request: HTTPRequest) async throws -> HTTPResponse {
        let principal = try await context.principal(request)
        let name = try request.parameter("name")
        let calendar = try await context.tenantRead(principal) { connection in
            try connection.query("""
                SELECT name, description, to_json(dates)::text AS dates, updated_by, updated_at FROM calendars WHERE tenant = $1 AND name = $2
                """, [principal.tenant, name]).first.map(Self.decode)
        }
        guard let calendar else { throw HTTPError.notFound("no calendar '\(name)'") }
        return .json(calendar)
    }

    /// Refused while a schedule names the calendar (it would otherwise fire on every day).
    @Sendable func delete(_ request: HTTPRequest) async throws -> HTTPResponse {
        let principal = try await context.principal(request)
        try principal.requireWrite()
        let name = try request.parameter("name")
        let users = try await context.tenantScoped(principal) { connection, outbox -> [String]? in
            let users = try connection.query("""
                SELECT workflow || '/' || schedule_id AS schedule FROM schedules
                WHERE tenant = $1 AND (spec->>'excludeCalendar' = $2 OR spec->>'onlyCalendar' = $2) ORDER BY 1
                """, [principal.tenant, name]).map { try $0.string("schedule") }
            guard users.isEmpty else { return users }
            guard try connection.execute("DELETE FROM calendars WHERE tenant = $1 AND name = $2", [principal.tenant, name]) == 1 else { return nil }
            try outbox.audit(AuditRecord(actor: principal.name, action: "calendar.delete", subjectType: "calendar", subjectID: name),
                               tenant: principal.tenant, key: principal.tenant)
            return []
        }
        guard let users else { throw HTTPError.notFound("no calendar '\(name)'") }
        guard users.isEmpty else { throw HTTPError.conflict("calendar '\(name)' is used by schedules \(users.joined(separator: ", "))") }
        return HTTPResponse(status: 204)
    }

    /// Recomputes the next fire of the schedules that name `calendar`; one that can no longer fire
    /// is a 400 and the calendar change is rolled back with it.
    static func reschedule(calendar: String, tenant: String, now: Date, _ connection: PostgresConnection) throws {
        let rows = try connection.query("""
            SELECT \(ScheduleStore.columns) FROM schedules
            WHERE tenant = $1 AND (spec->>'excludeCalendar' = $2 OR spec->>'onlyCalendar' = $2) FOR UPDATE
            """, [tenant, calendar]).map(ScheduleStore.decode)
        for row in rows {
            guard let next = try ScheduleStore.rule(row.spec, tenant: tenant, connection).next(after: now) else {
                throw HTTPError.badRequest("schedule '\(row.spec.id)' of workflow '\(row.workflow)' would never fire with this calendar")
            }
            try ScheduleStore.advance(row, next: next, lastFire: nil, connection)
        }
    }

    private static func decode(_ row: PostgresRow) throws -> Calendar {
        Calendar(name: try row.string("name"), description: try row.optionalString("description"),
                 dates: try row.json("dates", as: [String].self), updatedBy: try row.string("updated_by"),
                 updatedAt: try row.date("updated_at"))
    }
}
