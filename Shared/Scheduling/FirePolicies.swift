/// What a schedule does when it fires while the workflow still has an active run.
public enum OverlapPolicy: String, Codable, Sendable, CaseIterable {
    /// Record the fire as skipped (the default, as in Temporal).
    case skip
    /// Hold at most one fire until the active runs finish; later fires meanwhile are skipped.
    case bufferOne
    /// Start anyway (still bounded by the workflow's `maxActiveRuns`, beyond which fires queue).
    case allowAll
    /// Cancel the active runs, then start.
    case cancelPrevious
}

/// What a schedule does with fires it missed because no scheduler ran for longer than the
/// schedule's misfire grace (a fire that is late by less than the grace is simply fired late).
public enum MisfirePolicy: String, Codable, Sendable, CaseIterable {
    /// Drop every missed fire; carry on with the next one.
    case skip
    /// Fire once, for the most recent missed logical time (the default).
    case runLatest
    /// Fire every missed logical time, oldest first, at most `catchUpLimit` of the most recent.
    case catchUp
}

/// What to do with one fire, given the workflow's runs at that moment. Pure; the scheduler applies it.
public enum OverlapDecision: Equatable, Sendable {
    case start
    /// Start it after the runs listed as active are cancelled.
    case cancelActiveAndStart
    /// Hold it until a run finishes (bufferOne, or `maxActiveRuns` reached).
    case queue(reason: String)
    case skip(reason: String)

    /// - Parameters:
    ///   - active: runs of the workflow not yet finished (any trigger).
    ///   - queued: fires of the workflow already waiting; a new fire never overtakes them.
    ///   - maxActiveRuns: the workflow's limit, nil for none.
    public static func decide(_ policy: OverlapPolicy, active: Int, queued: Int, maxActiveRuns: Int?) -> OverlapDecision {
        let atLimit = maxActiveRuns.map { active >= $0 } ?? false
        switch policy {
        case .skip:
            if active > 0 { return .skip(reason: "a run is still active (overlap: skip)") }
            return queued > 0 ? .queue(reason: "earlier fires are waiting") : .start
        case .bufferOne:
            if active == 0 && queued == 0 { return .start }
            return queued == 0 ? .queue(reason: "a run is still active (overlap: bufferOne)")
                               : .skip(reason: "one fire is already buffered (overlap: bufferOne)")
        case .allowAll:
            if queued > 0 { return .queue(reason: "earlier fires are waiting") }
            return atLimit ? .queue(reason: "maxActiveRuns (\(maxActiveRuns ?? 0)) reached") : .start
        case .cancelPrevious:
            if queued > 0 { return .queue(reason: "earlier fires are waiting") }
            return active > 0 ? .cancelActiveAndStart : .start
        }
    }

    /// How many runs may be active before a queued fire of this policy may start.
    public static func drainLimit(_ policy: OverlapPolicy?, maxActiveRuns: Int?) -> Int {
        switch policy {
        case .skip?, .bufferOne?: 1
        case .allowAll?, .cancelPrevious?, nil: maxActiveRuns ?? Int.max
        }
    }
}
