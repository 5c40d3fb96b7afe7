/// How deep the next pass reads each tenant's queue. A pass can dispatch no more than the free
/// slots of the agents serving the queued tasks' pools; reading a fixed 200 tasks a tenant for
/// the handful it dispatches when slots are scarce made reading the queues a quarter of
/// Postgres's time at a few hundred tasks a second, and every task read may get its wait reason
/// rewritten (docs/performance.md, item 58).
///
/// The depth is taken from the pass before, because the queue heads and the agents are read in
/// the same round trip. Slots freed since then are covered by `lookAhead`, and a pass that reads
/// a queue to its depth leaves work waiting (the scheduler runs another at once), so a burst of
/// freed slots costs a pass or two more, never a stall.
public struct QueueReadDepth: Sendable, Equatable {
    /// The most of a tenant's queued tasks a pass reads (`WL_QUEUE_DEPTH`).
    public let limit: Int
    /// Tasks read beyond what could be dispatched, to find dispatchable ones behind tasks that
    /// wait on their own limits (a concurrency key, a selector no free agent matches).
    public let lookAhead: Int

    public static let defaultLookAhead = 32

    public init(limit: Int, lookAhead: Int = defaultLookAhead) {
        self.limit = max(1, limit)
        self.lookAhead = max(0, lookAhead)
    }

    /// The first pass, with nothing known yet, reads to the limit.
    public var initial: Int { limit }

    /// The depth for the pass after the one that planned `plan` from `snapshot`: the free slots
    /// left after its dispatches, on agents not draining that serve a pool of a task it saw,
    /// at most `maxDispatches`, plus `lookAhead`, at most `limit`.
    public func next(after snapshot: DispatchSnapshot, _ plan: DispatchPlan) -> Int {
        var pools = Set<String>()
        for queue in snapshot.queues.values {
            for task in queue { pools.insert(task.pool) }
        }
        var dispatchedTo: [String: Int] = [:]
        for decision in plan.dispatches { dispatchedTo[decision.agentID, default: 0] += 1 }
        var free = 0
        for agent in snapshot.agents where !agent.draining && !agent.pools.isDisjoint(with: pools) {
            free += max(agent.slots - agent.running - dispatchedTo[agent.id, default: 0], 0)
        }
        return min(limit, min(free, snapshot.maxDispatches) + lookAhead)
    }
}
