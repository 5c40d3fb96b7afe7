/// A validated workflow: build one only through `WorkflowDefinition.parse`, which rejects
/// everything the issue lists (unknown fields, duplicate ids, missing or cyclic `after`, empty `run`).
public struct WorkflowDefinition: Codable, Sendable, Equatable {
    public var name: String
    public var description: String?
    public var tasks: [TaskDefinition]

    public init(name: String, description: String? = nil, tasks: [TaskDefinition]) {
        self.name = name
        self.description = description
        self.tasks = tasks
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
}
