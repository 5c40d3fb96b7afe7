import Dispatch
import Foundation
import Runtime
import Synchronization

/// Stops one attempt's process group, once, for the first of its execution timeout or a kill
/// command: SIGTERM, then SIGKILL when the group has not ended within the grace period. A stop
/// that comes before the process started is kept, so the process is never started (or, in the
/// race with `start`, signalled as soon as its pid is known).
///
/// Signals go out only until the leader's exit is reported (`leaderExited()`), so a pid the
/// kernel hands to a new process afterwards is never signalled from here. Timers are Dispatch
/// sources rather than tasks: the runner's task may already be cancelled (a draining agent
/// waits for its attempts), and a timeout must still fire then.
final class Termination: Sendable {
    /// Why and when the attempt was stopped.
    struct Stop: Sendable {
        let reason: String
        /// When whatever is left of the process group gets SIGKILL.
        let killAt: ContinuousClock.Instant
    }

    private struct State {
        var pid: Int32?
        var stop: Stop?
        var exited = false
        var timers: [any DispatchSourceTimer] = []
    }

    private let state = Mutex(State())
    private let grace: Duration
    private let signal: @Sendable (Int32, Int32) -> Void

    /// `signal(pid, number)` signals the process group led by `pid`.
    init(grace: Duration, signal: @escaping @Sendable (Int32, Int32) -> Void) {
        self.grace = grace
        self.signal = signal
    }

    /// The stop, if the attempt was stopped.
    var stopped: Stop? { state.withLock { $0.stop } }

    /// Stops the attempt with `reason` unless it was stopped already (the first reason wins) or
    /// its process has exited.
    func stop(_ reason: String) {
        state.withLock { state in
            guard state.stop == nil, !state.exited else { return }
            state.stop = Stop(reason: reason, killAt: .now + grace)
            if let pid = state.pid { terminate(pid, &state) }
        }
    }

    /// The process started as `pid`: a stop that came meanwhile is carried out now, and a
    /// `timeout` starts counting.
    func started(_ pid: Int32, timeout: Duration?) {
        state.withLock { state in
            state.pid = pid
            if state.stop != nil {
                state.stop = state.stop.map { Stop(reason: $0.reason, killAt: .now + grace) }
                terminate(pid, &state)
            } else if let timeout {
                state.timers.append(timer(after: timeout) { $0.stop("timeout") })
            }
        }
    }

    /// The group's leader exited and was reaped: no more signals, no more timers. Returns the
    /// stop, if there was one, so the caller can see to the rest of the group.
    func leaderExited() -> Stop? {
        state.withLock { state in
            state.exited = true
            state.timers.forEach { $0.cancel() }
            state.timers = []
            return state.stop
        }
    }

    private func terminate(_ pid: Int32, _ state: inout State) {
        signal(pid, SIGTERM)
        state.timers.append(timer(after: grace) { $0.kill() })
    }

    private func kill() {
        state.withLock { state in
            guard !state.exited, let pid = state.pid else { return }
            signal(pid, SIGKILL)
        }
    }

    private func timer(after delay: Duration, _ action: @escaping @Sendable (Termination) -> Void) -> any DispatchSourceTimer {
        let timer = DispatchSource.makeTimerSource(queue: .global())
        timer.setEventHandler { [weak self] in
            if let self { action(self) }
        }
        timer.schedule(deadline: .now() + .milliseconds(Self.milliseconds(delay)))
        timer.activate()
        return timer
    }

    /// `delay` in whole milliseconds, between 0 and a year: a timeout beyond that (only a
    /// malformed dispatch has one) must not overflow the conversion and stop the agent.
    static func milliseconds(_ delay: Duration) -> Int {
        let milliseconds = delay.inSeconds * 1000
        return milliseconds.isNaN ? 0 : Int(min(max(milliseconds, 0), 365 * 86_400 * 1000))
    }
}
