/// A validated workflow: build one only through `WorkflowDefinition.parse`, which rejects
/// everything the issue lists (unknown fields, duplicate ids, missing or cyclic `after`, empty `run`).
public struct WorkflowDefinition: Codable, Sendable, Equatable {
    public var name: String
    public var description: String?
    /// How many runs started by schedules or backfills may be active at once; nil is unlimited.
    public var maxActiveRuns: Int?
    public var schedules: [ScheduleDefinition]
    public var events: [EventTriggerDefinition]
    public var tasks: [TaskDefinition]

    public init(name: String, description: String? = nil, maxActiveRuns: Int? = nil, schedules: [ScheduleDefinition] = [],
                events: [EventTriggerDefinition] = [], tasks: [TaskDefinition]) {
        self.name = name
        self.description = description
        self.maxActiveRuns = maxActiveRuns
        self.schedules = schedules
        self.events = events
        self.tasks = tasks
    }

    private enum CodingKeys: String, CodingKey {
        case name, description, maxActiveRuns, schedules, events, tasks
    }

    /// Definitions stored before triggers existed decode with none.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decode(String.self, forKey: .name)
        description = try container.decodeIfPresent(String.self, forKey: .description)
        maxActiveRuns = try container.decodeIfPresent(Int.self, forKey: .maxActiveRuns)
        schedules = try container.decodeIfPresent([ScheduleDefinition].self, forKey: .schedules) ?? []
        events = try container.decodeIfPresent([EventTriggerDefinition].self, forKey: .events) ?? []
        tasks = try container.decode([TaskDefinition].self, forKey: .tasks)
    }

    /// Empty trigger lists are left out, so a definition without triggers encodes (and hashes) as before.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(name, forKey: .name)
        try container.encodeIfPresent(description, forKey: .description)
        try container.encodeIfPresent(maxActiveRuns, forKey: .maxActiveRuns)
        if !schedules.isEmpty { try container.encode(schedules, forKey: .schedules) }
        if !events.isEmpty { try container.encode(events, forKey: .events) }
        try container.encode(tasks, forKey: .tasks)
    }
}

public struct TaskDefinition: Codable, Sendable, Equatable {
    public var id: String
    public var run: Command
    public var after: [String]
    /// The agent pool that runs it; `default` when not given.
    public var pool: String
    public var env: [String: String]

    public init(id: String, run: Command, after: [String] = [], pool: String = "default", env: [String: String] = [:]) {
        self.id = id
        self.run = run
        self.after = after
        self.pool = pool
        self.env = env
    }
}

/// Limits that keep one definition from overloading the resolver or the message size budget.
public enum DefinitionLimits {
    public static let maxTasks = 20_000
    public static let maxNameLength = 128
    public static let maxCommandBytes = 16 * 1024
    public static let maxSchedules = 20
    public static let maxEvents = 20
    public static let maxActiveRuns = 1_000
    public static let maxCatchUpLimit = 10_000
    public static let maxJitterSeconds = 86_400
}
