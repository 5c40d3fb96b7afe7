import Contracts

/// Simulate mode: the agent takes part in everything an attempt goes through — signed orders,
/// its policy, slots, the `running` report (for attempts longer than its delay), heartbeats,
/// kills — but instead of starting a process it waits the simulated duration and reports
/// `succeeded` with exit code 0. For dry-running workflows (does the DAG, the quota and the pool layout do what
/// is meant, how long would a day's work take through the platform) and for `make bench`, which
/// measures orchestration without the cost of processes. A simulated agent reports no host
/// load: it puts none on its host, so the dispatcher's slow-down must not react to it.
struct Simulation: Sendable {
    /// How long each attempt "runs".
    let duration: Duration

    /// Waits out the attempt unless a kill stops it first; fills in the outcome.
    func perform(_ termination: Termination, into status: inout TaskStatus) async {
        let deadline = ContinuousClock.now.advanced(by: duration)
        while termination.stopped == nil, ContinuousClock.now < deadline {
            try? await Task.sleep(for: min(.milliseconds(50), deadline - ContinuousClock.now))
        }
        if let stop = termination.stopped {
            status.reason = stop.reason
            return
        }
        status.state = .succeeded
        status.exitCode = 0
    }
}
