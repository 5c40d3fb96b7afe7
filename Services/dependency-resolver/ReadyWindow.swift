import Contracts
import Postgres

/// Flow control of ready tasks: at most `limit` of a run's tasks are ready but not dispatched
/// yet (on their way to the dispatcher or in its queue); the run's further ready tasks are
/// `held`, with a reason, and made ready as the dispatcher's `dispatched` reports make room.
///
/// Without it a run made 10,000 tasks ready in one transaction and published them at once: a
/// flood of readies the dispatcher took seconds to queue, in front of every other tenant's on
/// the same partitions and in its consumer's read-ahead (the noisy neighbour waited ~5 s before
/// its tasks were even queued; docs/performance.md, items 45–46), and a backlog that could
/// outgrow the dev broker's 5 MiB per partition. Fair share works on what is queued; this keeps
/// what is not queued yet short.
///
/// The room is counted from the run's rows, not kept as a counter, so no path that moves a task
/// in or out of `ready` (reports, retries, operators' controls, pause, cancel, rerun) can leave
/// held tasks waiting for room that is there. A run no bigger than the window is never counted.
/// Holding for room is not audited per task: the task's `task.ready` record says when it went.
struct ReadyWindow: Sendable {
    let limit: Int

    /// Whether the run is big enough to fill the window: smaller runs are never counted.
    func covers(_ run: RunContext) -> Bool { run.plan.graph.ids.count > limit }

    var reason: String { "ready window: \(limit) tasks of this run are ready and not yet dispatched" }

    /// How many more of the run's tasks may be made ready now.
    func room(_ run: RunContext, _ connection: PostgresConnection) throws -> Int {
        guard covers(run) else { return .max }
        let ready = try connection.query("SELECT count(*)::int AS n FROM task_instances WHERE run_id = $1 AND state = 'ready'", [run.id])
            .first?.int("n") ?? 0
        return max(0, limit - ready)
    }

    /// The run's held tasks that fit in the room, by position.
    func releasable(_ run: RunContext, _ connection: PostgresConnection) throws -> [Int] {
        guard covers(run) else { return [] }
        return try connection.query("""
            WITH counts AS (SELECT greatest(0, $2 - count(*) FILTER (WHERE state = 'ready'))::int AS room,
                                   count(*) FILTER (WHERE state = 'held') AS held
                            FROM task_instances WHERE run_id = $1)
            SELECT t.position FROM task_instances t, counts
            WHERE counts.held > 0 AND t.run_id = $1 AND t.state = 'held' ORDER BY t.position LIMIT (SELECT room FROM counts)
            """, [run.id, limit]).map { try $0.int("position") }
    }
}
