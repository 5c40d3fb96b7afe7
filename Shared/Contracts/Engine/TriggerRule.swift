/// When a task may run, given how its upstream tasks ended. The names and the skip propagation
/// follow Airflow's trigger rules, with one difference written down in the README: a decision is
/// taken only when no later upstream result could change it, so the outcome never depends on the
/// order in which upstream tasks happen to finish.
public enum TriggerRule: String, Codable, Sendable, CaseIterable {
    /// Every upstream task succeeded (the default). A failed upstream makes this task
    /// `upstream_failed` at once; a skipped one (once all are done) makes it skipped.
    case allSuccess
    /// Every upstream task failed; a succeeded or skipped upstream skips this task.
    case allFailed
    /// Every upstream task finished, however it ended.
    case allDone
    /// At least one upstream task succeeded (runs as soon as one does).
    case oneSuccess
    /// At least one upstream task failed (runs as soon as one does); skipped when none did.
    case oneFailed
    /// Every upstream task finished and none failed (skipped ones are fine).
    case noneFailed
    /// Every upstream task finished and none was skipped (failed ones are fine).
    case noneSkipped
    /// Runs when the run starts, whatever happens upstream.
    case always
}

/// How a task's upstream tasks have ended so far. `failed` counts `failed` and `upstream_failed`.
public struct UpstreamTally: Sendable, Equatable {
    public var total: Int
    public var succeeded: Int
    public var failed: Int
    public var skipped: Int

    public init(total: Int, succeeded: Int = 0, failed: Int = 0, skipped: Int = 0) {
        self.total = total
        self.succeeded = succeeded
        self.failed = failed
        self.skipped = skipped
    }

    public var done: Int { succeeded + failed + skipped }
    public var allDone: Bool { done >= total }

    public mutating func add(_ outcome: Outcome) {
        switch outcome {
        case .succeeded: succeeded += 1
        case .failed: failed += 1
        case .skipped: skipped += 1
        }
    }
}

/// What a finished task means to one of its children.
public enum Outcome: String, Sendable, Equatable, Codable {
    case succeeded, failed, skipped
}

/// A trigger rule's verdict for a pending task.
public enum Readiness: Sendable, Equatable {
    /// Not decided yet: more upstream results are needed.
    case wait
    /// The task may run (its condition, if any, is checked next).
    case run
    /// The task is skipped; its children see `skipped`.
    case skip
    /// The task cannot run because upstream failed; its children see `failed`.
    case upstreamFailed
}

extension TriggerRule {
    /// The verdict for `tally`. Tasks without upstream always run. Every verdict other than
    /// `wait` is final: no further upstream result could change it.
    public func decide(_ tally: UpstreamTally) -> Readiness {
        if tally.total == 0 { return .run }
        switch self {
        case .always:
            return .run
        case .allSuccess:
            if tally.failed > 0 { return .upstreamFailed }
            guard tally.allDone else { return .wait }
            return tally.skipped > 0 ? .skip : .run
        case .allFailed:
            if tally.succeeded > 0 || tally.skipped > 0 { return .skip }
            return tally.allDone ? .run : .wait
        case .allDone:
            return tally.allDone ? .run : .wait
        case .oneSuccess:
            if tally.succeeded > 0 { return .run }
            guard tally.allDone else { return .wait }
            return tally.failed > 0 ? .upstreamFailed : .skip
        case .oneFailed:
            if tally.failed > 0 { return .run }
            return tally.allDone ? .skip : .wait
        case .noneFailed:
            if tally.failed > 0 { return .upstreamFailed }
            return tally.allDone ? .run : .wait
        case .noneSkipped:
            if tally.skipped > 0 { return .skip }
            return tally.allDone ? .run : .wait
        }
    }
}
