import Contracts
import Governance

/// A dispatcher in miniature: keeps queues, running tasks, daily counts and buckets between
/// passes the way the real one stores them, so tests can drive many passes over simulated time.
struct Cluster {
    struct Lease {
        var task: QueuedTask
        var agent: String
    }

    var now: Double = noon
    var queues: [String: [QueuedTask]]
    var settings: GovernanceSettings
    var agents: [AgentState]
    var leases: [Lease] = []
    /// Running outside the simulated agents (counted against limits, never finishing).
    var background = RunningCounts()
    var daily: [QuotaScope: Int] = [:]
    var buckets: [String: TokenBucket] = [:]
    var rampStartedAt: Double?
    var maxDispatches = 1_000
    /// How many tasks of each queue a snapshot holds, as the dispatcher loads only a queue's head.
    var headSize: Int?
    var history: [DispatchDecision] = []

    init(_ tasks: [QueuedTask], agents: [AgentState], settings: GovernanceSettings = GovernanceSettings()) {
        self.queues = GovernanceTests.queues(tasks)
        self.agents = agents
        self.settings = settings
    }

    var running: RunningCounts {
        var counts = background
        for lease in leases { counts.add(tenant: lease.task.tenant, pool: lease.task.pool, key: lease.task.concurrency?.key) }
        return counts
    }

    var snapshot: DispatchSnapshot {
        var agents = self.agents
        for index in agents.indices { agents[index].running = leases.count { $0.agent == agents[index].id } }
        let heads = headSize.map { size in queues.mapValues { Array($0.prefix(size)) } } ?? queues
        return DispatchSnapshot(now: now, queues: heads, running: running, daily: daily, buckets: buckets, settings: settings,
                                agents: agents, rampStartedAt: rampStartedAt, maxDispatches: maxDispatches)
    }

    /// Plans one pass and stores its outcome: leases, daily counts, buckets, shorter queues.
    @discardableResult mutating func pass() -> DispatchPlan {
        let plan = DispatchPlanner.plan(snapshot)
        apply(plan)
        return plan
    }

    mutating func apply(_ plan: DispatchPlan) {
        buckets = plan.buckets
        var gone: [String: Set<String>] = [:]
        for decision in plan.dispatches {
            let task = decision.task
            leases.append(Lease(task: task, agent: decision.agentID))
            daily[QuotaScope(tenant: task.tenant), default: 0] += 1
            daily[QuotaScope(tenant: task.tenant, pool: task.pool), default: 0] += 1
            gone[task.tenant, default: []].insert(DispatchPlan.key(task))
        }
        history += plan.dispatches
        for (tenant, keys) in gone {
            guard var queue = queues.removeValue(forKey: tenant) else { continue }
            // Usually the dispatched tasks are the head of the queue: drop it without hashing the rest.
            let head = queue.prefix(keys.count).map(DispatchPlan.key)
            if Set(head) == keys { queue.removeFirst(keys.count) } else { queue.removeAll { keys.contains(DispatchPlan.key($0)) } }
            queues[tenant] = queue
        }
    }

    /// Ends the oldest `count` running tasks matching `filter`.
    mutating func finish(_ count: Int, where filter: (Lease) -> Bool = { _ in true }) {
        var left = count
        var kept: [Lease] = []
        for lease in leases {
            if left > 0, filter(lease) { left -= 1 } else { kept.append(lease) }
        }
        leases = kept
    }
}
