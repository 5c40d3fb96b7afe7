/// One task of a workflow. A task does exactly one thing: runs a command (`run`), picks a branch
/// (`switch`) or runs another workflow (`workflow`). Text in `run`, `env`, `cwd` and sub-workflow
/// parameters may hold `{{…}}` templates, checked at apply time and filled in when the task
/// becomes ready.
public struct TaskDefinition: Codable, Sendable, Equatable {
    public var id: String
    public var run: Command?
    public var after: [String]
    /// The agent pool that runs it; `default` when not given.
    public var pool: String
    public var env: [String: String]
    /// The working directory on the agent; the run's scratch directory when not given.
    public var cwd: String?
    public var triggerRule: TriggerRule
    /// A condition (see `Expression`); false skips the task.
    public var when: String?
    public var switchCases: SwitchDefinition?
    public var workflow: SubWorkflowDefinition?
    /// Other workflows' runs this task waits for before it starts.
    public var waitFor: [WorkflowDependency]
    public var retry: RetryPolicy?
    /// Execution timeout as written ("30m"); the agent kills the process group when it passes.
    public var timeout: String?
    /// 0–9, 9 first, within the tenant's queue; 5 when not given.
    public var priority: Int?
    /// A `LabelSelector` the agent that runs it must match, e.g. `os=linux,region in (eu-west)`.
    public var selector: String?
    /// A semaphore across all workflows and tenants, e.g. `{"key": "db:ledger", "limit": 3}`.
    public var concurrency: ConcurrencyLimit?
    /// The user the process runs as; the agent's policy file must allow it.
    public var runAs: String?

    public init(id: String, run: Command?, after: [String] = [], pool: String = "default", env: [String: String] = [:],
                cwd: String? = nil, triggerRule: TriggerRule = .allSuccess, when: String? = nil,
                switchCases: SwitchDefinition? = nil, workflow: SubWorkflowDefinition? = nil,
                waitFor: [WorkflowDependency] = [], retry: RetryPolicy? = nil, timeout: String? = nil,
                priority: Int? = nil, selector: String? = nil, concurrency: ConcurrencyLimit? = nil, runAs: String? = nil) {
        self.priority = priority
        self.selector = selector
        self.concurrency = concurrency
        self.runAs = runAs
        self.id = id
        self.run = run
        self.after = after
        self.pool = pool
        self.env = env
        self.cwd = cwd
        self.triggerRule = triggerRule
        self.when = when
        self.switchCases = switchCases
        self.workflow = workflow
        self.waitFor = waitFor
        self.retry = retry
        self.timeout = timeout
    }

    public var timeoutSeconds: Int? { timeout.flatMap(DurationText.seconds) }

    private enum CodingKeys: String, CodingKey {
        case id, run, after, pool, env, cwd, triggerRule, when, switchCases = "switch", workflow, waitFor, retry, timeout
        case priority, selector, concurrency, runAs
    }

    /// Definitions stored before these fields existed decode with their defaults.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(String.self, forKey: .id)
        run = try container.decodeIfPresent(Command.self, forKey: .run)
        after = try container.decodeIfPresent([String].self, forKey: .after) ?? []
        pool = try container.decodeIfPresent(String.self, forKey: .pool) ?? "default"
        env = try container.decodeIfPresent([String: String].self, forKey: .env) ?? [:]
        cwd = try container.decodeIfPresent(String.self, forKey: .cwd)
        triggerRule = try container.decodeIfPresent(TriggerRule.self, forKey: .triggerRule) ?? .allSuccess
        when = try container.decodeIfPresent(String.self, forKey: .when)
        switchCases = try container.decodeIfPresent(SwitchDefinition.self, forKey: .switchCases)
        workflow = try container.decodeIfPresent(SubWorkflowDefinition.self, forKey: .workflow)
        waitFor = try container.decodeIfPresent([WorkflowDependency].self, forKey: .waitFor) ?? []
        retry = try container.decodeIfPresent(RetryPolicy.self, forKey: .retry)
        timeout = try container.decodeIfPresent(String.self, forKey: .timeout)
        priority = try container.decodeIfPresent(Int.self, forKey: .priority)
        selector = try container.decodeIfPresent(String.self, forKey: .selector)
        concurrency = try container.decodeIfPresent(ConcurrencyLimit.self, forKey: .concurrency)
        runAs = try container.decodeIfPresent(String.self, forKey: .runAs)
    }

    /// Defaults are left out, so a definition that uses none of the newer fields encodes (and
    /// hashes) exactly as it did before they existed.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encodeIfPresent(run, forKey: .run)
        try container.encode(after, forKey: .after)
        try container.encode(pool, forKey: .pool)
        try container.encode(env, forKey: .env)
        try container.encodeIfPresent(cwd, forKey: .cwd)
        if triggerRule != .allSuccess { try container.encode(triggerRule, forKey: .triggerRule) }
        try container.encodeIfPresent(when, forKey: .when)
        try container.encodeIfPresent(switchCases, forKey: .switchCases)
        try container.encodeIfPresent(workflow, forKey: .workflow)
        if !waitFor.isEmpty { try container.encode(waitFor, forKey: .waitFor) }
        try container.encodeIfPresent(retry, forKey: .retry)
        try container.encodeIfPresent(timeout, forKey: .timeout)
        try container.encodeIfPresent(priority, forKey: .priority)
        try container.encodeIfPresent(selector, forKey: .selector)
        try container.encodeIfPresent(concurrency, forKey: .concurrency)
        try container.encodeIfPresent(runAs, forKey: .runAs)
    }
}

/// A switch task: the first case whose condition holds picks its tasks; otherwise `default`
/// does. Every task after the switch is a branch, and the branches not picked are skipped
/// (their own downstream merges again through trigger rules such as `noneFailed`).
public struct SwitchDefinition: Codable, Sendable, Equatable {
    public struct Case: Codable, Sendable, Equatable {
        public var when: String
        public var goto: [String]
        public init(when: String, goto: [String]) {
            self.when = when
            self.goto = goto
        }
    }

    public var cases: [Case]
    public var `default`: [String]

    public init(cases: [Case], default fallback: [String] = []) {
        self.cases = cases
        self.default = fallback
    }
}

/// A task that runs another workflow of the same tenant (its latest version when the task
/// starts) and succeeds or fails with that run.
public struct SubWorkflowDefinition: Codable, Sendable, Equatable {
    public var name: String
    /// Templates, filled in like `env`.
    public var parameters: [String: String]

    public init(name: String, parameters: [String: String] = [:]) {
        self.name = name
        self.parameters = parameters
    }
}

/// A wait for a successful run of another workflow of the same tenant: by default one whose
/// logical time falls on the same calendar date (in `timezone`) as this run's; with `within`,
/// one whose logical time is at most that long before or after this run's.
public struct WorkflowDependency: Codable, Sendable, Equatable {
    public static let defaultTimeoutSeconds = 12 * 3_600

    public var workflow: String
    public var within: String?
    public var timezone: String?
    /// How long to wait before the task fails with reason `dependency timeout`.
    public var timeout: String?

    public init(workflow: String, within: String? = nil, timezone: String? = nil, timeout: String? = nil) {
        self.workflow = workflow
        self.within = within
        self.timezone = timezone
        self.timeout = timeout
    }

    public var withinSeconds: Int? { within.flatMap(DurationText.seconds) }
    public var timeoutSeconds: Int { timeout.flatMap(DurationText.seconds) ?? Self.defaultTimeoutSeconds }
}
