import Foundation
import Scheduling

/// The trigger parts of a definition: `maxActiveRuns`, `schedules` and `events`. Checks here need
/// nothing but the document; calendar existence and "does it ever fire" are checked at apply time,
/// where the tenant's calendars and the clock are known.
extension DefinitionReader {
    static let scheduleFields: Set<String> = [
        "id", "cron", "timezone", "excludeCalendar", "onlyCalendar", "businessDay", "start", "end", "jitter",
        "overlap", "misfire", "misfireGrace", "catchUpLimit", "parameters",
    ]
    static let eventFields: Set<String> = ["id", "topic", "match", "parameters"]

    static func maxActiveRuns(_ value: JSONValue?) throws(DefinitionError) -> Int? {
        guard let value, value != .null else { return nil }
        return try integer(value, in: 1...DefinitionLimits.maxActiveRuns, at: "field 'maxActiveRuns'")
    }

    static func schedules(_ value: JSONValue?) throws(DefinitionError) -> [ScheduleDefinition] {
        let items = try list(value, named: "schedules", limit: DefinitionLimits.maxSchedules)
        var result: [ScheduleDefinition] = []
        for (index, item) in items.enumerated() {
            result.append(try schedule(item, index: index))
        }
        try requireUniqueIDs(result.map(\.id), kind: "schedule")
        return result
    }

    static func events(_ value: JSONValue?) throws(DefinitionError) -> [EventTriggerDefinition] {
        let items = try list(value, named: "events", limit: DefinitionLimits.maxEvents)
        var result: [EventTriggerDefinition] = []
        for (index, item) in items.enumerated() {
            result.append(try event(item, index: index))
        }
        try requireUniqueIDs(result.map(\.id), kind: "event trigger")
        return result
    }

    static func schedule(_ value: JSONValue, index: Int) throws(DefinitionError) -> ScheduleDefinition {
        let path = "schedules[\(index)]"
        let fields = try object(value, at: path)
        try rejectUnknown(fields, allowed: scheduleFields, at: path)
        let id = try fields["id"] == nil ? "s\(index + 1)" : identifier(fields["id"], at: "\(path).id")
        let at = "schedule '\(id)'"
        guard case .string(let cron)? = fields["cron"] else { throw DefinitionError("\(at): field 'cron' must be a cron expression string") }
        do { _ = try CronExpression.parse(cron) } catch { throw DefinitionError("\(at): invalid cron expression '\(cron)': \(error)") }
        let timezone = try optionalString(fields["timezone"], at: "\(path).timezone") ?? "UTC"
        guard let zone = TimeZones.named(timezone) else {
            throw DefinitionError("\(at): unknown time zone '\(timezone)' (use an IANA name such as Europe/Berlin)")
        }
        var schedule = ScheduleDefinition(id: id, cron: cron.trimmingCharacters(in: .whitespaces), timezone: timezone)
        schedule.excludeCalendar = try optionalIdentifier(fields["excludeCalendar"], at: "\(path).excludeCalendar")
        schedule.onlyCalendar = try optionalIdentifier(fields["onlyCalendar"], at: "\(path).onlyCalendar")
        if let day = fields["businessDay"], day != .null {
            let number = try integer(day, in: -23...23, at: "\(at): field 'businessDay'")
            guard number != 0 else { throw DefinitionError("\(at): field 'businessDay' is 1-23 (n-th) or -1 to -23 (from the month's end), not 0") }
            schedule.businessDay = number
        }
        schedule.start = try instant(fields["start"], zone: zone, at: "\(at): field 'start'")
        schedule.end = try instant(fields["end"], zone: zone, at: "\(at): field 'end'")
        if let start = schedule.startDate, let end = schedule.endDate, end <= start {
            throw DefinitionError("\(at): 'end' must be after 'start'")
        }
        schedule.jitter = try duration(fields["jitter"], max: DefinitionLimits.maxJitterSeconds, at: "\(at): field 'jitter'")
        schedule.misfireGrace = try duration(fields["misfireGrace"], max: 7 * 86_400, at: "\(at): field 'misfireGrace'")
        schedule.overlap = try policy(fields["overlap"], default: .skip, at: "\(at): field 'overlap'")
        schedule.misfire = try policy(fields["misfire"], default: .runLatest, at: "\(at): field 'misfire'")
        if let limit = fields["catchUpLimit"], limit != .null {
            schedule.catchUpLimit = try integer(limit, in: 1...DefinitionLimits.maxCatchUpLimit, at: "\(at): field 'catchUpLimit'")
        }
        schedule.parameters = try parameters(fields["parameters"], at: "\(at): field 'parameters'")
        return schedule
    }

    static func event(_ value: JSONValue, index: Int) throws(DefinitionError) -> EventTriggerDefinition {
        let path = "events[\(index)]"
        let fields = try object(value, at: path)
        try rejectUnknown(fields, allowed: eventFields, at: path)
        let id = try fields["id"] == nil ? "e\(index + 1)" : identifier(fields["id"], at: "\(path).id")
        let at = "event trigger '\(id)'"
        guard case .string(let topic)? = fields["topic"], isTopicName(topic) else {
            throw DefinitionError("\(at): field 'topic' must be a Kafka topic name (letters, digits, '.', '_', '-'; at most 249)")
        }
        guard !topic.hasPrefix("wl.") else { throw DefinitionError("\(at): topics starting with 'wl.' belong to the platform") }
        var match: [String: String] = [:]
        switch fields["match"] {
        case nil, .null?: break
        case .object(let entries)?:
            for (path, expected) in entries {
                guard !path.isEmpty, !path.split(separator: ".", omittingEmptySubsequences: false).contains(where: \.isEmpty) else {
                    throw DefinitionError("\(at): match field '\(path)' is not a field path like 'type' or 'order.region'")
                }
                guard let text = expected.scalarText else {
                    throw DefinitionError("\(at): match value of '\(path)' must be a string, number or boolean")
                }
                match[path] = text
            }
        case let other?: throw DefinitionError("\(at): field 'match' must be an object, not \(other.typeName)")
        }
        return EventTriggerDefinition(id: id, topic: topic, match: match,
                                      parameters: try parameters(fields["parameters"], at: "\(at): field 'parameters'"))
    }

    // MARK: - Field helpers

    private static func list(_ value: JSONValue?, named name: String, limit: Int) throws(DefinitionError) -> [JSONValue] {
        switch value {
        case nil, .null?: return []
        case .array(let items)?:
            guard items.count <= limit else { throw DefinitionError("field '\(name)' lists \(items.count) entries (the limit is \(limit))") }
            return items
        case let other?: throw DefinitionError("field '\(name)' must be an array, not \(other.typeName)")
        }
    }

    private static func requireUniqueIDs(_ ids: [String], kind: String) throws(DefinitionError) {
        var seen = Set<String>()
        for id in ids where !seen.insert(id).inserted { throw DefinitionError("duplicate \(kind) id '\(id)'") }
    }

    static func integer(_ value: JSONValue, in range: ClosedRange<Int>, at path: String) throws(DefinitionError) -> Int {
        guard case .number(let number) = value, number == number.rounded(), let integer = Int(exactly: number),
              range.contains(integer) else {
            throw DefinitionError("\(path) must be a whole number from \(range.lowerBound) to \(range.upperBound)")
        }
        return integer
    }

    private static func optionalIdentifier(_ value: JSONValue?, at path: String) throws(DefinitionError) -> String? {
        guard let value, value != .null else { return nil }
        return try identifier(value, at: path)
    }

    private static func instant(_ value: JSONValue?, zone: TimeZone, at path: String) throws(DefinitionError) -> String? {
        guard let text = try optionalString(value, at: path) else { return nil }
        guard ISO8601Local.parse(text, in: zone) != nil else {
            throw DefinitionError("\(path) must be an ISO-8601 date or time such as 2026-01-31 or 2026-01-31T06:00:00+01:00, got '\(text)'")
        }
        return text
    }

    static func duration(_ value: JSONValue?, max: Int, at path: String) throws(DefinitionError) -> String? {
        guard let text = try optionalString(value, at: path) else { return nil }
        guard let seconds = DurationText.seconds(text), seconds <= max else {
            throw DefinitionError("\(path) must be a duration such as 30s, 5m or 1h30m, at most \(DurationText.format(max)); got '\(text)'")
        }
        return text
    }

    static func policy<Policy: RawRepresentable & CaseIterable>(
        _ value: JSONValue?, default fallback: Policy, at path: String
    ) throws(DefinitionError) -> Policy where Policy.RawValue == String {
        guard let text = try optionalString(value, at: path) else { return fallback }
        guard let policy = Policy(rawValue: text) else {
            throw DefinitionError("\(path) must be one of \(Policy.allCases.map(\.rawValue).joined(separator: ", ")); got '\(text)'")
        }
        return policy
    }

    /// Run parameters: names that can become `WL_PARAM_<name>` variables.
    static func parameters(_ value: JSONValue?, at path: String) throws(DefinitionError) -> [String: String] {
        let map = try stringMap(value, at: path)
        for name in map.keys where !ParameterNames.isValid(name) {
            throw DefinitionError("\(path) has an invalid parameter name '\(name)': use letters, digits and '_'")
        }
        return map
    }

    static func isTopicName(_ text: String) -> Bool {
        !text.isEmpty && text.count <= 249 && text != "." && text != ".."
            && text.unicodeScalars.allSatisfy { $0.isASCIIAlphanumeric || $0 == "." || $0 == "_" || $0 == "-" }
    }
}

/// Run parameter names: they become `WL_PARAM_<name>` variables, so letters, digits and '_'.
public enum ParameterNames {
    public static func isValid(_ text: String) -> Bool {
        !text.isEmpty && text.count <= 64 && text.unicodeScalars.allSatisfy { $0 == "_" || $0.isASCIIAlphanumeric }
    }
}

/// Names of workflows, tasks, schedules, calendars and pools: letters, digits, '.', '_', '-'.
public enum DefinitionNames {
    public static func isIdentifier(_ text: String) -> Bool { DefinitionReader.isIdentifier(text) }
}

extension JSONValue {
    /// Strings, numbers and booleans as text (numbers without a trailing ".0"); nil for the rest.
    public var scalarText: String? {
        switch self {
        case .string(let text): text
        case .bool(let value): value ? "true" : "false"
        case .number(let value): value == value.rounded() && abs(value) < 9e15 ? String(Int64(value)) : String(value)
        case .null, .array, .object: nil
        }
    }
}
