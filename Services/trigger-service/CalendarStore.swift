import Contracts
import Foundation
import HTTP
import Postgres
import Scheduling

/// Business calendars: named sets of dates per tenant (holidays, closing days) that schedules
/// exclude or are restricted to.
enum CalendarStore {
    /// The dates of each named calendar. A name that does not exist, or a calendar without dates,
    /// is a 400: a schedule pointing at nothing would silently fire on every day (or never).
    static func dates(_ names: Set<String>, tenant: String, _ connection: PostgresConnection) throws -> [String: Set<LocalDate>] {
        guard !names.isEmpty else { return [:] }
        var calendars: [String: Set<LocalDate>] = [:]
        for row in try connection.query("""
            SELECT name, to_json(dates)::text AS dates FROM calendars WHERE tenant = $1 AND name = ANY($2)
            """, [tenant, Array(names)]) {
            let dates = try row.json("dates", as: [String].self).compactMap(LocalDate.init)
            calendars[try row.string("name")] = Set(dates)
        }
        for name in names.sorted() {
            guard let dates = calendars[name] else { throw HTTPError.badRequest("no calendar '\(name)' (create it with PUT /v1/calendars/\(name))") }
            guard !dates.isEmpty else { throw HTTPError.badRequest("calendar '\(name)' has no dates") }
        }
        return calendars
    }
}
