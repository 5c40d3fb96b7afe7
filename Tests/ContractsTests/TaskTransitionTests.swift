import Contracts
import Testing

@Suite struct TaskTransitionTests {
    @Test func readyTaskAcceptsDispatchOfFirstAttempt() {
        #expect(TaskTransition.decide(current: .ready, currentAttempt: 0, report: .dispatched, reportAttempt: 1)
            == .apply(state: .dispatched, attempt: 1))
    }

    @Test func stateOnlyMovesForwardWithinAnAttempt() {
        #expect(TaskTransition.decide(current: .running, currentAttempt: 1, report: .dispatched, reportAttempt: 1)
            == .ignore("attempt 1 is already running"))
        #expect(TaskTransition.decide(current: .dispatched, currentAttempt: 1, report: .running, reportAttempt: 1)
            == .apply(state: .running, attempt: 1))
    }

    @Test func runningBeforeDispatchedIsAccepted() {
        #expect(TaskTransition.decide(current: .ready, currentAttempt: 0, report: .running, reportAttempt: 1)
            == .apply(state: .running, attempt: 1))
    }

    @Test func staleAttemptReportsAreFenced() {
        #expect(TaskTransition.decide(current: .dispatched, currentAttempt: 2, report: .succeeded, reportAttempt: 1)
            == .ignore("stale report for attempt 1; current attempt is 2"))
    }

    @Test func newerAttemptSupersedesRunningOne() {
        #expect(TaskTransition.decide(current: .running, currentAttempt: 1, report: .dispatched, reportAttempt: 2)
            == .apply(state: .dispatched, attempt: 2))
    }

    @Test(arguments: [TaskState.succeeded, .failed, .skipped])
    func terminalTasksNeverChange(state: TaskState) {
        #expect(TaskTransition.decide(current: state, currentAttempt: 1, report: .succeeded, reportAttempt: 2)
            == .ignore("task already \(state.rawValue)"))
    }

    @Test func pendingTasksIgnoreReports() {
        #expect(TaskTransition.decide(current: .pending, currentAttempt: 0, report: .running, reportAttempt: 1)
            == .ignore("task is not ready yet"))
    }
}
