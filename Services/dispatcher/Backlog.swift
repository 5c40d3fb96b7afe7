import Synchronization

/// Whether tasks may be waiting in the queues, as far as this process knows. A freed slot can
/// only let a waiting task go, so agents' reports wake the scheduler only while the last pass
/// left tasks queued, while a pass is under way (its outcome is not known yet), or once a task
/// was queued since. At moderate load half the passes were woken by a report with nothing
/// queued, and a task queued during a pass waits for that pass to end. Tasks another
/// dispatcher instance queued are seen by that instance's passes and by this one's timed pass
/// (`WL_SCHEDULE_INTERVAL`).
final class Backlog: Sendable {
    private let waiting = Atomic<Bool>(true)

    var mayHaveWaiting: Bool { waiting.load(ordering: .acquiring) }

    /// A task was queued, or a pass begins: waiting until a pass says otherwise.
    func markWaiting() { waiting.store(true, ordering: .releasing) }

    /// A pass ended; `left`: whether it left queued tasks behind.
    func passEnded(left: Bool) { waiting.store(left, ordering: .releasing) }
}
