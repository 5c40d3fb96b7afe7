/// A run's life: queued until the resolver creates its tasks, then running until every task ended.
public enum RunState: String, Codable, Sendable, CaseIterable {
    case queued, running, paused, succeeded, failed, cancelled

    public var isTerminal: Bool { self == .succeeded || self == .failed || self == .cancelled }
}

/// A task instance's life within a run.
public enum TaskState: String, Codable, Sendable, CaseIterable {
    case pending
    /// Its cross-workflow waits are not met yet.
    case waiting
    /// Ready but not sent to the dispatcher: while the run is paused (sent when it resumes), or
    /// while the run's ready window is full (sent as its tasks are dispatched; the resolver's
    /// `ReadyWindow`).
    case held
    case ready, dispatched, running
    /// Failed, and waiting for its next try.
    case retrying
    case succeeded, failed, skipped
    /// Cannot run because upstream failed (trigger rules).
    case upstreamFailed = "upstream_failed"

    public var isTerminal: Bool { self == .succeeded || self == .failed || self == .skipped || self == .upstreamFailed }

    /// What the task's children see of it once it ended.
    public var outcome: Outcome? {
        switch self {
        case .succeeded: .succeeded
        case .failed, .upstreamFailed: .failed
        case .skipped: .skipped
        default: nil
        }
    }
}

/// How the resolver applies an attempt's status report to a task instance. Pure, so the fencing and
/// redelivery rules are unit-tested without Kafka or Postgres.
public enum TaskTransition: Equatable, Sendable {
    /// Store the new state and attempt.
    case apply(state: TaskState, attempt: Int)
    /// Leave the task alone; the reason is logged.
    case ignore(String)

    /// - Reports for an older attempt than the current one are stale (fencing): ignored.
    /// - A terminal task never changes again, so redelivered and late reports are harmless.
    /// - A task ready again after attempt N ended ignores reports for N (fencing for retries).
    /// - A newer attempt supersedes the current one whatever it was doing (lost-agent re-dispatch).
    /// - Within one attempt the state only moves forward (dispatched → running → succeeded/failed),
    ///   so reports arriving out of order cannot move it back.
    public static func decide(current: TaskState, currentAttempt: Int, report: TaskStatus.State, reportAttempt: Int) -> TaskTransition {
        if current.isTerminal { return .ignore("task already \(current.rawValue)") }
        if current == .pending || current == .waiting || current == .held { return .ignore("task is not ready yet") }
        if reportAttempt < currentAttempt {
            return .ignore("stale report for attempt \(reportAttempt); current attempt is \(currentAttempt)")
        }
        if reportAttempt == currentAttempt, current == .ready {
            // Ready again with this attempt number means the attempt ended and a retry or rerun is
            // queued: a late report from the old attempt's agent must not decide the task.
            return .ignore("attempt \(reportAttempt) already ended; the task is queued again")
        }
        let target = TaskState(report)
        if reportAttempt > currentAttempt { return .apply(state: target, attempt: reportAttempt) }
        guard rank(target) > rank(current) else {
            return .ignore("attempt \(reportAttempt) is already \(current.rawValue)")
        }
        return .apply(state: target, attempt: reportAttempt)
    }

    private static func rank(_ state: TaskState) -> Int {
        switch state {
        case .pending, .waiting, .held: 0
        case .ready: 1
        case .dispatched: 2
        case .running: 3
        case .retrying, .succeeded, .failed, .skipped, .upstreamFailed: 4
        }
    }
}

extension TaskState {
    public init(_ report: TaskStatus.State) {
        switch report {
        case .dispatched: self = .dispatched
        case .running: self = .running
        case .succeeded: self = .succeeded
        case .failed: self = .failed
        }
    }
}
