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
public typealias RunParent = AttemptRef

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
    /// 0 (lowest) to 9 (most urgent) within the tenant's queue; nil means `TaskSpec.defaultPriority`.
    public var priority: Int?
    /// A label selector (`LabelSelector` syntax) the chosen agent's labels must match.
    public var selector: String?
    /// A semaphore shared by every task naming the same key, across workflows and tenants.
    public var concurrency: ConcurrencyLimit?
    /// The user the agent runs the process as (its policy file must allow it); the agent's own when nil.
    public var runAs: String?

    public static let defaultPriority = 5

    public init(runID: UUID, taskID: String, workflow: String, pool: String, command: Command, environment: [String: String],
                directory: String? = nil, timeoutSeconds: Int? = nil, priority: Int? = nil, selector: String? = nil,
                concurrency: ConcurrencyLimit? = nil, runAs: String? = nil) {
        self.runID = runID
        self.taskID = taskID
        self.workflow = workflow
        self.pool = pool
        self.command = command
        self.environment = environment
        self.directory = directory
        self.timeoutSeconds = timeoutSeconds
        self.priority = priority
        self.selector = selector
        self.concurrency = concurrency
        self.runAs = runAs
    }

    public var effectivePriority: Int { priority ?? Self.defaultPriority }
}

/// A named semaphore: at most `limit` tasks naming `key` run at once, whoever they belong to.
public struct ConcurrencyLimit: Codable, Sendable, Equatable, Hashable {
    public var key: String
    public var limit: Int

    public init(key: String, limit: Int) {
        self.key = key
        self.limit = limit
    }
}

/// resolver → dispatcher: the task may start.
public struct TaskReady: GroupablePayload, Equatable {
    public static let type = "task.ready"
    public static let version = 1
    public var task: TaskSpec
    public init(task: TaskSpec) { self.task = task }
}

/// What the dispatcher orders one agent (process) to run. Signed as a whole, so an agent can
/// trust every field: which attempt, for which tenant, addressed to which agent and session.
public struct DispatchOrder: Codable, Sendable, Equatable {
    public var task: TaskSpec
    public var attempt: Int
    public var tenant: String
    public var agentID: String
    /// The agent process the order is for; a restarted agent (new session) drops orders for its
    /// old session, which the dispatcher has already given to someone else.
    public var agentSession: String?
    public var issuedAt: Date

    public init(task: TaskSpec, attempt: Int, tenant: String, agentID: String, agentSession: String?, issuedAt: Date) {
        self.task = task
        self.attempt = attempt
        self.tenant = tenant
        self.agentID = agentID
        self.agentSession = agentSession
        self.issuedAt = issuedAt
    }

    public var key: AttemptRef { AttemptRef(runID: task.runID, taskID: task.taskID, attempt: attempt) }
}

/// dispatcher → one agent: a `DispatchOrder` as the exact JSON bytes that were signed, and the
/// detached Ed25519 signature over them (hex). Agents refuse orders whose signature does not verify.
public struct TaskDispatch: MessagePayload, Equatable {
    public static let type = "task.dispatch"
    public static let version = 2
    public var order: String
    public var signature: String

    public init(order: String, signature: String) {
        self.order = order
        self.signature = signature
    }
}

/// dispatcher → one agent: the orders of one scheduling pass for one agent, tenant and session,
/// signed once (`orders` is a JSON array of `DispatchOrder`, as the exact bytes that were signed;
/// `signature` the detached Ed25519 signature over them, hex). A pass that gives an agent 50
/// tasks costs one signature, one message and one verification instead of 50. A single order
/// still travels as `TaskDispatch`.
public struct TaskDispatches: MessagePayload, Equatable {
    public static let type = "task.dispatches"
    public static let version = 1
    public var orders: String
    public var signature: String

    public init(orders: String, signature: String) {
        self.orders = orders
        self.signature = signature
    }
}

/// One attempt of one task.
public struct AttemptRef: Codable, Sendable, Equatable, Hashable {
    public var runID: UUID
    public var taskID: String
    public var attempt: Int

    public init(runID: UUID, taskID: String, attempt: Int) {
        self.runID = runID
        self.taskID = taskID
        self.attempt = attempt
    }
}

/// Reasons a failed attempt reports when no exit code tells the story.
public enum TaskFailure {
    /// The attempt's agent stopped heart-beating or restarted; the dispatcher reports it.
    public static let lost = "lost"
    /// The agent's local policy refused the command, tenant or user; the text after
    /// `policy: ` says which rule. Never retried.
    public static let policy = "policy"
}

/// A change in one attempt's life, reported by the dispatcher (dispatched) and agents (the rest).
public struct TaskStatus: GroupablePayload, Equatable {
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
    /// When the agent started the attempt, on its `running` report and on its outcome: an attempt
    /// that ends before its `running` report is due reports only its outcome (`RunningReports`),
    /// which must still say when it started. Nil from agents older than this field, whose
    /// `running` report's time is the start.
    public var startedAt: Date?

    public init(runID: UUID, taskID: String, attempt: Int, state: State, agentID: String? = nil, agentSession: String? = nil,
                exitCode: Int? = nil, reason: String? = nil, outputTail: String? = nil, outputs: [String: String]? = nil,
                startedAt: Date? = nil) {
        self.outputs = outputs
        self.startedAt = startedAt
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
    /// The first of `pools` (what older readers know).
    public var pool: String
    /// Every pool the agent serves.
    public var pools: [String]?
    /// The agent's labels (os, region, any key=value) that task selectors match.
    public var labels: [String: String]?
    public var slots: Int
    public var running: Int
    /// Host load: the 1-minute load average divided by the CPU count (1.0 = every CPU busy).
    public var load: Double?
    /// The attempts running on the agent now, so the dispatcher can stop superseded ones.
    public var attempts: [AttemptRef]?
    public var startedAt: Date

    public init(agentID: String, session: String?, host: String, pools: [String], labels: [String: String] = [:], slots: Int,
                running: Int, load: Double? = nil, attempts: [AttemptRef] = [], startedAt: Date) {
        self.agentID = agentID
        self.session = session
        self.host = host
        self.pool = pools.first ?? "default"
        self.pools = pools
        self.labels = labels
        self.slots = slots
        self.running = running
        self.load = load
        self.attempts = attempts
        self.startedAt = startedAt
    }

    public var servedPools: [String] { pools ?? [pool] }
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
public struct AuditRecord: GroupablePayload, Equatable {
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
    /// When it happened; nil means the envelope's time (a record sent on its own). Set on
    /// records sent together in a `MessageGroup`, which share one envelope.
    public var occurredAt: Date?

    public init(actor: String, action: String, subjectType: String, subjectID: String, runID: UUID? = nil,
                taskID: String? = nil, fromState: String? = nil, toState: String? = nil, details: [String: String] = [:],
                occurredAt: Date? = nil) {
        self.actor = actor
        self.action = action
        self.subjectType = subjectType
        self.subjectID = subjectID
        self.runID = runID
        self.taskID = taskID
        self.fromState = fromState
        self.toState = toState
        self.details = details
        self.occurredAt = occurredAt
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
