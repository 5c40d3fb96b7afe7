import Foundation

/// What a trigger asks for: a run of one pinned workflow version.
public struct RunRequested: MessagePayload, Equatable {
    public static let type = "run.requested"
    public static let version = 1

    public var runID: UUID
    public var workflow: String
    public var workflowVersion: Int
    public var parameters: [String: String]
    /// schedule, event, manual, backfill or dependency.
    public var source: String
    /// Who or what caused it (a credential name, a schedule id).
    public var requestedBy: String
    public var logicalTime: Date
    /// Set when a task of another run started this one as a sub-workflow.
    public var parent: RunParent?

    public init(runID: UUID, workflow: String, workflowVersion: Int, parameters: [String: String],
                source: String, requestedBy: String, logicalTime: Date, parent: RunParent? = nil) {
        self.parent = parent
        self.runID = runID
        self.workflow = workflow
        self.workflowVersion = workflowVersion
        self.parameters = parameters
        self.source = source
        self.requestedBy = requestedBy
        self.logicalTime = logicalTime
    }
}

/// The task (and its try) that started a sub-workflow run; the run's end is reported back to it
/// as that task's status.
public struct RunParent: Codable, Sendable, Equatable {
    public var runID: UUID
    public var taskID: String
    public var attempt: Int

    public init(runID: UUID, taskID: String, attempt: Int) {
        self.runID = runID
        self.taskID = taskID
        self.attempt = attempt
    }
}

/// Everything an agent needs to run one attempt; carried from resolver to dispatcher to agent so
/// neither of the latter needs to read workflow definitions.
public struct TaskSpec: Codable, Sendable, Equatable {
    public var runID: UUID
    public var taskID: String
    public var workflow: String
    public var pool: String
    public var command: Command
    public var environment: [String: String]
    /// Working directory; the agent's scratch directory for the run when nil.
    public var directory: String?
    /// Execution timeout: the agent kills the process group and reports `failed`, reason `timeout`.
    public var timeoutSeconds: Int?

    public init(runID: UUID, taskID: String, workflow: String, pool: String, command: Command, environment: [String: String],
                directory: String? = nil, timeoutSeconds: Int? = nil) {
        self.runID = runID
        self.taskID = taskID
        self.workflow = workflow
        self.pool = pool
        self.command = command
        self.environment = environment
        self.directory = directory
        self.timeoutSeconds = timeoutSeconds
    }
}

/// resolver → dispatcher: the task may start.
public struct TaskReady: MessagePayload, Equatable {
    public static let type = "task.ready"
    public static let version = 1
    public var task: TaskSpec
    public init(task: TaskSpec) { self.task = task }
}

/// dispatcher → agents of a pool: run this attempt.
public struct TaskDispatch: MessagePayload, Equatable {
    public static let type = "task.dispatch"
    public static let version = 1
    public var task: TaskSpec
    public var attempt: Int
    public init(task: TaskSpec, attempt: Int) {
        self.task = task
        self.attempt = attempt
    }
}

/// A change in one attempt's life, reported by the dispatcher (dispatched) and agents (the rest).
public struct TaskStatus: MessagePayload, Equatable {
    public static let type = "task.status"
    public static let version = 1

    public enum State: String, Codable, Sendable { case dispatched, running, succeeded, failed }

    public var runID: UUID
    public var taskID: String
    public var attempt: Int
    public var state: State
    public var agentID: String?
    /// The reporting agent process's session (new on every start), so a lease held by a session
    /// that no longer exists is recognised even when the agent came back under the same id.
    public var agentSession: String?
    public var exitCode: Int?
    /// Why it failed when no exit code says it: `spawn`, `lost`, `timeout`, `cancelled`, `output`.
    public var reason: String?
    /// The end of the attempt's output, for `run show` and alerts.
    public var outputTail: String?
    /// The key=value pairs the task wrote to `$WL_OUTPUT` (succeeded attempts only).
    public var outputs: [String: String]?

    public init(runID: UUID, taskID: String, attempt: Int, state: State, agentID: String? = nil, agentSession: String? = nil,
                exitCode: Int? = nil, reason: String? = nil, outputTail: String? = nil, outputs: [String: String]? = nil) {
        self.outputs = outputs
        self.runID = runID
        self.taskID = taskID
        self.attempt = attempt
        self.state = state
        self.agentID = agentID
        self.agentSession = agentSession
        self.exitCode = exitCode
        self.reason = reason
        self.outputTail = outputTail
    }
}

/// An agent says it is alive, where, and how busy.
public struct AgentHeartbeat: MessagePayload, Equatable {
    public static let type = "agent.heartbeat"
    public static let version = 1

    public var agentID: String
    /// New on every start of the agent process; see `TaskStatus.agentSession`.
    public var session: String?
    public var host: String
    public var pool: String
    public var slots: Int
    public var running: Int
    public var startedAt: Date

    public init(agentID: String, session: String?, host: String, pool: String, slots: Int, running: Int, startedAt: Date) {
        self.agentID = agentID
        self.session = session
        self.host = host
        self.pool = pool
        self.slots = slots
        self.running = running
        self.startedAt = startedAt
    }
}

/// Something a tenant's people should hear about.
public struct Alert: MessagePayload, Equatable {
    public static let type = "alert"
    public static let version = 1

    /// e.g. `run.failed`.
    public var kind: String
    public var severity: String
    public var summary: String
    public var runID: UUID?
    public var workflow: String?
    public var details: [String: String]

    public init(kind: String, severity: String, summary: String, runID: UUID?, workflow: String?, details: [String: String] = [:]) {
        self.kind = kind
        self.severity = severity
        self.summary = summary
        self.runID = runID
        self.workflow = workflow
        self.details = details
    }
}

/// One operation or state change, for the audit trail: who (actor) did what (action) to what (subject).
public struct AuditRecord: MessagePayload, Equatable {
    public static let type = "audit.record"
    public static let version = 1

    public var actor: String
    public var action: String
    public var subjectType: String
    public var subjectID: String
    public var runID: UUID?
    public var taskID: String?
    public var fromState: String?
    public var toState: String?
    public var details: [String: String]

    public init(actor: String, action: String, subjectType: String, subjectID: String, runID: UUID? = nil,
                taskID: String? = nil, fromState: String? = nil, toState: String? = nil, details: [String: String] = [:]) {
        self.actor = actor
        self.action = action
        self.subjectType = subjectType
        self.subjectID = subjectID
        self.runID = runID
        self.taskID = taskID
        self.fromState = fromState
        self.toState = toState
        self.details = details
    }
}

/// trigger-service → dependency-resolver: stop a run. Published on the run-request topic with the
/// run id as key, so it can never overtake the request that created the run. Tasks not started
/// yet are skipped; the run ends `cancelled`.
public struct RunCancelRequested: MessagePayload, Equatable {
    public static let type = "run.cancel-requested"
    public static let version = 1

    public var runID: UUID
    public var reason: String
    public var requestedBy: String

    public init(runID: UUID, reason: String, requestedBy: String) {
        self.runID = runID
        self.reason = reason
        self.requestedBy = requestedBy
    }
}
