import Contracts
import Postgres

/// Flow control of ready tasks: at most `limit` of a run's tasks are ready but not dispatched
/// yet (on their way to the dispatcher or in its queue); the run's further ready tasks are
/// `held`, with a reason, and made ready as the dispatcher's `dispatched` reports make room.
///
/// Without it a run made 10,000 tasks ready in one transaction and published them at once: a
/// flood of readies the dispatcher took seconds to queue, in front of every other tenant's that
/// shared its partition (a run's messages are keyed by run), so the noisy neighbour waited
/// ~5-8 s before its tasks were even queued (docs/performance.md, items 45-47). Fair share
/// works on what is queued; this keeps what is not queued yet short.
///
/// The counts live on the run's row (`window_ready`, `window_held`), which every change to a run
/// locks and the engine updates anyway, so keeping them costs no statement. They are kept by
/// the status path alone — the launches it makes and the reports that take tasks out of
/// `ready` — which is where nearly every change happens; every other change to a run
/// (creation, retries, waits met, operators' controls, reruns) counts the run's rows afresh
/// (`recount`), so a path that moves a task in or out of `ready` some other way
/// (a task marked by hand, a rerun) cannot leave held tasks waiting for room that is there.
/// Counting a 10,000-task run's rows in every status batch cost 40% of the 1,000,000-task
/// run's throughput, a trigger keeping the counts 12-25% (item 46). Held tasks are released
/// once the room reaches half the window (or every held task), so releases come a half window
/// at a time. A run no bigger than the window is never counted.
struct ReadyWindow: Sendable {
    let limit: Int

    /// Whether the run is big enough to fill the window: smaller runs are never counted.
    func covers(_ run: RunContext) -> Bool { run.plan.graph.ids.count > limit }

    var reason: String { "ready window: \(limit) tasks of this run are ready and not yet dispatched" }

    /// Whether held tasks should be released now, by the kept counts.
    func shouldRelease(_ counts: WindowCounts) -> Bool {
        counts.held > 0 && limit - counts.ready >= min(counts.held, max(1, limit / 2))
    }

    /// The run's counts from its rows, for a change that did not keep them. One statement that
    /// reads the run's rows.
    func recount(_ run: RunContext, _ connection: PostgresConnection) throws -> WindowCounts {
        guard let row = try connection.query("""
            SELECT count(*) FILTER (WHERE state = 'ready')::int AS ready, count(*) FILTER (WHERE state = 'held')::int AS held
            FROM task_instances WHERE run_id = $1
            """, [run.id]).first else { return WindowCounts() }
        return WindowCounts(ready: try row.int("ready"), held: try row.int("held"))
    }

    /// The run's first `count` held tasks by position.
    func held(_ run: RunContext, first count: Int, _ connection: PostgresConnection) throws -> [Int] {
        guard count > 0 else { return [] }
        return try connection.query("""
            SELECT position FROM task_instances WHERE run_id = $1 AND state = 'held' ORDER BY position LIMIT $2
            """, [run.id, count]).map { try $0.int("position") }
    }
}

/// How many of a run's tasks are ready and not yet dispatched, and how many are held for room in
/// the ready window, as kept on the run's row.
struct WindowCounts: Sendable, Equatable {
    var ready = 0
    var held = 0
}
