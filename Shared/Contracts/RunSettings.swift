/// A declared run parameter. Without a default, every trigger must supply it.
public struct ParameterDefinition: Codable, Sendable, Equatable {
    public var `default`: String?
    public var description: String?

    public init(default value: String? = nil, description: String? = nil) {
        self.default = value
        self.description = description
    }

    public var isRequired: Bool { self.default == nil }
}

/// When a run should be finished by. `at` is a wall-clock time ("06:00") in `timezone`: the first
/// such time at or after the run's logical time. `after` is a duration from the logical time or,
/// with `from: "start"`, from when the run started. An alert goes to `wl.alerts` `warnBefore`
/// ahead (default 15 minutes) and another when the deadline passes with the run still going.
public struct DeadlineDefinition: Codable, Sendable, Equatable {
    public enum Origin: String, Codable, Sendable, CaseIterable { case logicalTime, start }

    public static let defaultWarnBeforeSeconds = 900

    public var at: String?
    public var timezone: String?
    public var after: String?
    public var from: Origin?
    public var warnBefore: String?

    public init(at: String? = nil, timezone: String? = nil, after: String? = nil, from: Origin? = nil, warnBefore: String? = nil) {
        self.at = at
        self.timezone = timezone
        self.after = after
        self.from = from
        self.warnBefore = warnBefore
    }

    public var warnBeforeSeconds: Int { warnBefore.flatMap(DurationText.seconds) ?? Self.defaultWarnBeforeSeconds }
}
