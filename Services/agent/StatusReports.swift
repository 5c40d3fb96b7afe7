import Contracts
import Foundation
import Kafka
import Runtime
import Synchronization

/// Status reports on their way out, by run (and tenant) in first-seen order: each run's reports
/// become one message (a `MessageGroup` within its limits), keyed by the run like every report.
struct StatusReports {
    private struct Key: Hashable {
        let runID: UUID
        let tenant: String
    }

    private var reports = OrderedGroups<Key, TaskStatus>()

    var isEmpty: Bool { reports.keys.isEmpty }

    mutating func add(_ status: TaskStatus, tenant: String) {
        reports.append(status, to: Key(runID: status.runID, tenant: tenant))
    }

    func messages() throws -> [KafkaOutgoingMessage] {
        try reports.keys.flatMap { key in
            try MessageGroup.chunks(reports[key]).map { statuses in
                KafkaOutgoingMessage(topic: Topics.tasksStatus, key: key.runID.key, value: try MessageGroup.envelope(statuses, tenant: key.tenant))
            }
        }
    }
}

/// Sends attempts' outcome reports like a group commit: a report goes out at once when nothing
/// is being sent, and the ones that come in while a send is in flight go together right after
/// it, grouped by run. No report waits on a timer, and a busy agent (hundreds of simulated
/// attempts ending at once) sends a few messages a round trip instead of one per attempt.
final class ReportQueue: Sendable {
    private struct Waiting {
        let status: TaskStatus
        let tenant: String
        let delivered: CheckedContinuation<Void, any Error>
    }

    private struct State {
        var waiting: [Waiting] = []
        var sending = false
    }

    private let producer: KafkaProducer
    private let state = Mutex(State())

    init(producer: KafkaProducer) { self.producer = producer }

    /// Sends `status` until the broker takes it, backing off between tries: an attempt's report
    /// must not be lost while this agent is alive. `untilCancelled`: give up once the calling task
    /// is cancelled (the agent is stopping), for reports that something later supersedes.
    func deliver(_ status: TaskStatus, tenant: String, logger: Logger, untilCancelled: Bool = false) async {
        var delay = Duration.milliseconds(100)
        while true {
            do {
                try await send(status, tenant: tenant)
                return
            } catch {
                if untilCancelled, Task.isCancelled { return }
                logger.warning("status report not delivered; retrying", [LogKey.error: "\(error)", "state": status.state.rawValue])
                try? await Task.sleep(for: delay)
                delay = min(delay * 2, .seconds(5))
            }
        }
    }

    /// Returns once the broker has acknowledged the message carrying `status`; throws what
    /// sending it threw (the report was not delivered: the caller tries again).
    func send(_ status: TaskStatus, tenant: String) async throws {
        try await withCheckedThrowingContinuation { (delivered: CheckedContinuation<Void, any Error>) in
            let startsSending = state.withLock { state -> Bool in
                state.waiting.append(Waiting(status: status, tenant: tenant, delivered: delivered))
                guard !state.sending else { return false }
                state.sending = true
                return true
            }
            if startsSending { Task { await self.sendWaiting() } }
        }
    }

    /// Sends what waits, then what came in meanwhile, until nothing is left.
    private func sendWaiting() async {
        while true {
            let batch = state.withLock { state -> [Waiting] in
                let batch = state.waiting
                state.waiting.removeAll()
                if batch.isEmpty { state.sending = false }
                return batch
            }
            guard !batch.isEmpty else { return }
            do {
                var reports = StatusReports()
                for waiting in batch { reports.add(waiting.status, tenant: waiting.tenant) }
                try await producer.send(try reports.messages())
                for waiting in batch { waiting.delivered.resume() }
            } catch {
                for waiting in batch { waiting.delivered.resume(throwing: error) }
            }
        }
    }
}
