import Contracts
import Foundation
import Synchronization

/// Where kill commands meet the attempts of this agent: each attempt registers its
/// `Termination` before its process starts, and every kill is checked against the registered
/// attempts and remembered for dispatches still to come. Both happen under one lock, so a kill
/// racing a dispatch is either seen by the dispatch or finds its attempt registered.
final class AttemptControl: Sendable {
    private struct State {
        var running: [String: [Int: Termination]] = [:]
        var memory = KillMemory()
    }

    private let state = Mutex(State())
    private let grace: Duration
    private let supervisor: ProcessSupervisor

    init(grace: Duration, supervisor: ProcessSupervisor) {
        self.grace = grace
        self.supervisor = supervisor
    }

    /// Registers an attempt about to start. Its termination is already stopped when a
    /// remembered kill names it; the caller then reports it without starting anything. The
    /// order's signed issue time places it before or after kills naming no attempt.
    func admit(_ order: DispatchOrder) -> Termination {
        let task = order.task
        let termination = Termination(grace: grace) { [supervisor] pid, signal in supervisor.signalGroup(pid, signal) }
        let killed = state.withLock { state in
            state.running[Self.key(task.runID, task.taskID), default: [:]][order.attempt] = termination
            return state.memory.reason(runID: task.runID, taskID: task.taskID, attempt: order.attempt, dispatchedAt: order.issuedAt)
        }
        if let killed { termination.stop(killed) }
        return termination
    }

    /// The attempt has reported its outcome.
    func release(_ attempt: AttemptRef) {
        state.withLock { state in
            let key = Self.key(attempt.runID, attempt.taskID)
            state.running[key]?[attempt.attempt] = nil
            if state.running[key]?.isEmpty == true { state.running[key] = nil }
        }
    }

    /// Stops the attempts `kill` names that run here and remembers it for dispatches to come.
    /// Returns how many running attempts it stopped.
    @discardableResult
    func apply(_ kill: TaskKill, issuedAt: Date) -> Int {
        let targets = state.withLock { state in
            state.memory.remember(kill, issuedAt: issuedAt)
            let attempts = state.running[Self.key(kill.runID, kill.taskID)] ?? [:]
            return attempts.filter { kill.attempt == nil || kill.attempt == $0.key }.map(\.value)
        }
        targets.forEach { $0.stop(kill.reason) }
        return targets.count
    }

    private static func key(_ runID: UUID, _ taskID: String) -> String { "\(runID.key)/\(taskID)" }
}
