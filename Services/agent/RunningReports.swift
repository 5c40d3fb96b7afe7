import Contracts
import Foundation
import Runtime
import Synchronization

/// Reports `running` only for attempts still running `delay` after they started
/// (`WL_RUNNING_REPORT_DELAY`, default 0.2 s). Most attempts on a busy platform are short; one
/// that ends sooner goes straight from `dispatched` to its outcome, whose report carries the
/// start time (`TaskStatus.startedAt`), so the lease, the task and the audit trail still record
/// when it started, and the platform handles one report for it instead of two (its share of a
/// Kafka message, a lease update, a task row update, an audit record: docs/performance.md,
/// item 61). Acceptance does not wait for this report: committing the dispatch offset accepts an
/// order, and the dispatcher counts the attempts a heartbeat lists as accepted (`AgentRegistry`).
///
/// A `running` report and the outcome may cross on the way (the outcome is sent while the
/// `running` report waits to go out): both consumers let a task's state only move forward
/// within an attempt, so the late `running` report changes nothing.
final class RunningReports: Service {
    let name = "running-reports"
    private let delay: Duration
    private let reports: ReportQueue
    private let logger: Logger

    private struct Started {
        let status: TaskStatus
        let tenant: String
        let at: ContinuousClock.Instant
    }

    private let started = Mutex<[AttemptRef: Started]>([:])

    init(delay: Duration, reports: ReportQueue, logger: Logger) {
        self.delay = delay
        self.reports = reports
        self.logger = logger
    }

    /// `status` (state `running`) is reported once `delay` has passed, unless `ended` came first.
    func began(_ status: TaskStatus, tenant: String) {
        let key = AttemptRef(runID: status.runID, taskID: status.taskID, attempt: status.attempt)
        let entry = Started(status: status, tenant: tenant, at: ContinuousClock.now)
        started.withLock { $0[key] = entry }
    }

    /// The attempt ended: its outcome reports it from here on.
    func ended(_ key: AttemptRef) {
        _ = started.withLock { $0.removeValue(forKey: key) }
    }

    /// Reports the attempts that became due, checking every half `delay` (at least every 10 ms).
    /// A stopping agent does not wait for the broker to take these: each attempt's outcome
    /// follows, or the dispatcher gives up the attempts of an agent that went away.
    func run() async throws {
        let tick = max(delay / 2, .milliseconds(10))
        while !Task.isCancelled {
            await Task.pause(tick)
            let due = takeDue(now: ContinuousClock.now)
            guard !due.isEmpty else { continue }
            await withDiscardingTaskGroup { group in
                for entry in due {
                    group.addTask { await self.reports.deliver(entry.status, tenant: entry.tenant, logger: self.logger, untilCancelled: true) }
                }
            }
        }
    }

    private func takeDue(now: ContinuousClock.Instant) -> [Started] {
        started.withLock { started in
            let due = started.filter { now - $0.value.at >= delay }
            for key in due.keys { started[key] = nil }
            return due.values.sorted { $0.at < $1.at }
        }
    }
}
