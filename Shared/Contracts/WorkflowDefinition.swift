/// A validated workflow: build one only through `WorkflowDefinition.parse`, which rejects
/// everything the issue lists (unknown fields, duplicate ids, missing or cyclic `after`, empty `run`,
/// templates and conditions naming parameters or outputs that cannot exist).
public struct WorkflowDefinition: Codable, Sendable, Equatable {
    public var name: String
    public var description: String?
    /// How many runs started by schedules or backfills may be active at once; nil is unlimited.
    public var maxActiveRuns: Int?
    public var schedules: [ScheduleDefinition]
    public var events: [EventTriggerDefinition]
    /// Declared run parameters: defaults, and which ones a trigger must supply.
    public var params: [String: ParameterDefinition]
    /// Run timeout as written ("6h"): a run still going then fails and its tasks are stopped.
    public var timeout: String?
    public var deadline: DeadlineDefinition?
    /// Waits every task without upstream makes (see `TaskDefinition.waitFor`).
    public var waitFor: [WorkflowDependency]
    public var tasks: [TaskDefinition]

    public init(name: String, description: String? = nil, maxActiveRuns: Int? = nil, schedules: [ScheduleDefinition] = [],
                events: [EventTriggerDefinition] = [], params: [String: ParameterDefinition] = [:], timeout: String? = nil,
                deadline: DeadlineDefinition? = nil, waitFor: [WorkflowDependency] = [], tasks: [TaskDefinition]) {
        self.name = name
        self.description = description
        self.maxActiveRuns = maxActiveRuns
        self.schedules = schedules
        self.events = events
        self.params = params
        self.timeout = timeout
        self.deadline = deadline
        self.waitFor = waitFor
        self.tasks = tasks
    }

    public var timeoutSeconds: Int? { timeout.flatMap(DurationText.seconds) }

    private enum CodingKeys: String, CodingKey {
        case name, description, maxActiveRuns, schedules, events, params, timeout, deadline, waitFor, tasks
    }

    /// Definitions stored before triggers and parameters existed decode with none.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decode(String.self, forKey: .name)
        description = try container.decodeIfPresent(String.self, forKey: .description)
        maxActiveRuns = try container.decodeIfPresent(Int.self, forKey: .maxActiveRuns)
        schedules = try container.decodeIfPresent([ScheduleDefinition].self, forKey: .schedules) ?? []
        events = try container.decodeIfPresent([EventTriggerDefinition].self, forKey: .events) ?? []
        params = try container.decodeIfPresent([String: ParameterDefinition].self, forKey: .params) ?? [:]
        timeout = try container.decodeIfPresent(String.self, forKey: .timeout)
        deadline = try container.decodeIfPresent(DeadlineDefinition.self, forKey: .deadline)
        waitFor = try container.decodeIfPresent([WorkflowDependency].self, forKey: .waitFor) ?? []
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
        if !params.isEmpty { try container.encode(params, forKey: .params) }
        try container.encodeIfPresent(timeout, forKey: .timeout)
        try container.encodeIfPresent(deadline, forKey: .deadline)
        if !waitFor.isEmpty { try container.encode(waitFor, forKey: .waitFor) }
        try container.encode(tasks, forKey: .tasks)
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
    public static let maxParams = 100
    public static let maxParameterBytes = 8 * 1024
    /// What a task may write to `$WL_OUTPUT`: key=value lines, at most this many bytes and keys.
    public static let maxOutputBytes = 64 * 1024
    public static let maxOutputKeys = 100
    public static let maxTimeoutSeconds = 7 * 86_400
    public static let maxWaitFor = 10
}

extension WorkflowDefinition {
    /// The parameters a run gets: `given` over the declared defaults. Parameters the workflow
    /// does not declare pass through (as `WL_PARAM_*` variables) but templates cannot name them.
    public static func resolveParameters(_ given: [String: String], declared: [String: ParameterDefinition],
                                         workflow: String) throws(DefinitionError) -> [String: String] {
        var resolved = given
        var missing: [String] = []
        for (name, parameter) in declared where resolved[name] == nil {
            if let value = parameter.default { resolved[name] = value } else { missing.append(name) }
        }
        guard missing.isEmpty else {
            throw DefinitionError("workflow '\(workflow)' needs parameter\(missing.count == 1 ? "" : "s") \(missing.sorted().map { "'\($0)'" }.joined(separator: ", "))")
        }
        return resolved
    }
}
