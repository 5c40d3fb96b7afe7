import Foundation

/// dependency-resolver → agents (`wl.agents.control`): stop the running process of an attempt.
/// The agent running it kills the whole process group and reports `failed` with `reason`;
/// every other agent ignores it. `attempt` nil means whichever attempt is running.
public struct TaskKill: MessagePayload, Equatable {
    public static let type = "task.kill"
    public static let version = 1

    public var runID: UUID
    public var taskID: String
    public var attempt: Int?
    public var reason: String

    public init(runID: UUID, taskID: String, attempt: Int?, reason: String) {
        self.runID = runID
        self.taskID = taskID
        self.attempt = attempt
        self.reason = reason
    }
}

/// An operator's change to a run (on `wl.runs.requested`, keyed by run id, so it is applied in
/// order with everything else that happens to the run).
public struct RunControl: MessagePayload, Equatable {
    public static let type = "run.control"
    public static let version = 1

    public enum Action: String, Codable, Sendable, CaseIterable {
        /// Run the whole finished run again.
        case rerunAll
        /// Run the failed, upstream-failed and skipped tasks of a finished run again.
        case rerunFailed
        /// Run `taskID` and everything downstream of it again.
        case rerunFrom
        case pause, resume
        /// End `taskID` as succeeded or skipped by hand (killing its process if it runs).
        case markSucceeded, markSkipped
    }

    public var runID: UUID
    public var action: Action
    public var taskID: String?
    public var requestedBy: String

    public init(runID: UUID, action: Action, taskID: String? = nil, requestedBy: String) {
        self.runID = runID
        self.action = action
        self.taskID = taskID
        self.requestedBy = requestedBy
    }
}

/// A run timer came due (on `wl.runs.requested`, keyed by run id). Timers live in the
/// `run_timers` table; the resolver's timer loop turns due rows into these messages, so every
/// change to a run still goes through the run's one ordered stream.
public struct RunTimerFired: MessagePayload, Equatable {
    public static let type = "run.timer"
    public static let version = 1

    public enum Kind: String, Codable, Sendable, CaseIterable {
        /// Try a failed task again.
        case retry
        /// The run's timeout passed.
        case runTimeout
        /// The deadline is `warnBefore` away / has passed.
        case deadlineWarning, deadlineMissed
        /// A cross-workflow wait gave up.
        case dependencyTimeout
    }

    public var runID: UUID
    public var kind: Kind
    /// Empty for run-wide timers.
    public var taskID: String
    /// Guards against stale timers: a retry timer names the failure count it was set for.
    public var token: Int

    public init(runID: UUID, kind: Kind, taskID: String = "", token: Int = 0) {
        self.runID = runID
        self.kind = kind
        self.taskID = taskID
        self.token = token
    }
}

/// A run ended (on `wl.runs.events`). Cross-workflow waits are released by these.
public struct RunFinished: MessagePayload, Equatable {
    public static let type = "run.finished"
    public static let version = 1

    public var runID: UUID
    public var workflow: String
    public var state: RunState
    public var logicalTime: Date

    public init(runID: UUID, workflow: String, state: RunState, logicalTime: Date) {
        self.runID = runID
        self.workflow = workflow
        self.state = state
        self.logicalTime = logicalTime
    }
}

/// A cross-workflow wait of a task is met (on `wl.runs.requested`, keyed by the waiting run).
public struct DependencyMet: MessagePayload, Equatable {
    public static let type = "run.dependency-met"
    public static let version = 1

    public var runID: UUID
    public var taskID: String
    /// The run that met it.
    public var upstreamRunID: UUID

    public init(runID: UUID, taskID: String, upstreamRunID: UUID) {
        self.runID = runID
        self.taskID = taskID
        self.upstreamRunID = upstreamRunID
    }
}
