import Contracts
import Governance
import Testing

/// Within a tenant: the queue's order (priority 9 first, then oldest, as the dispatcher loads it);
/// a task that cannot go does not hold back the ones behind it, unless the limit is tenant-wide.
@Suite struct QueueOrderTests {
    /// The dispatcher's load order: priority descending, then age (here: position).
    static func loaded(_ tasks: [QueuedTask]) -> [QueuedTask] {
        tasks.enumerated().sorted { ($0.element.priority, -$0.offset) > ($1.element.priority, -$1.offset) }.map(\.element)
    }

    @Test func higherPriorityFirstThenOldest() {
        let arrivals = [task("a", "old5", priority: 5), task("a", "urgent9", priority: 9), task("a", "low0", priority: 0),
                        task("a", "new5", priority: 5), task("a", "later9", priority: 9)]
        let plan = plan(Self.loaded(arrivals), maxDispatches: 10)
        #expect(plan.order == ["urgent9", "later9", "old5", "new5", "low0"])
    }

    @Test func limitedCapacityGoesToTheMostUrgent() {
        let arrivals = (0..<10).map { task("a", "t\($0)", priority: $0 % 3 == 0 ? 9 : 1) }
        let plan = plan(Self.loaded(arrivals), agents: [agent("x", slots: 3)])
        #expect(plan.order == ["t0", "t3", "t6"])
        #expect(plan.waits.count == 7)
    }

    @Test func priorityOrdersOnlyWithinATenant() {
        // b's priority 9 does not jump ahead of a's fair turn.
        let queued = [task("a", "a0", priority: 0), task("a", "a1", priority: 0), task("b", "b0", priority: 9), task("b", "b1", priority: 9)]
        let plan = plan(queued, running: running([("b", "p", nil, 2)]), maxDispatches: 2)
        #expect(plan.order == ["a0", "a1"], "a runs nothing, b runs two: a's turn, twice")
    }

    /// The planner trusts the order it is given (sorting is the loader's job, see
    /// `DispatchSnapshot.queues`); it never reorders a tenant's queue.
    @Test func queueOrderIsKeptAsGiven() {
        let queued = [task("a", "low", priority: 0), task("a", "high", priority: 9)]
        #expect(plan(queued).order == ["low", "high"])
    }

    // MARK: - What holds back what

    enum Blocker: String, CaseIterable {
        case poolFull, poolRate, poolQuota, key, selector, noAgent, dedicated
    }

    /// The head task waits for something of its own; the two behind it go.
    @Test(arguments: Blocker.allCases)
    func taskBlockedByItsPoolKeyOrSelectorDoesNotHoldBackTheRest(blocker: Blocker) throws {
        var head = task("a", "head", pool: "busy", priority: 9)
        var config = GovernanceSettings()
        var counts = RunningCounts()
        switch blocker {
        case .poolFull: config.pools["busy"] = Throttle(maxRunning: 0)
        case .poolRate: config.pools["busy"] = Throttle(rate: 1, burst: 1)
        case .poolQuota: config.quotas[QuotaScope(tenant: "a", pool: "busy")] = Quota(maxRunning: 0)
        case .key:
            head.concurrency = ConcurrencyLimit(key: "k", limit: 1)
            counts.add(tenant: "z", pool: "p", key: "k")
        case .selector: head.selector = try LabelSelector(parsing: "os=plan9")
        case .noAgent: head.pool = "nowhere"
        case .dedicated: config.dedicated["busy"] = "z"
        }
        let buckets = blocker == .poolRate ? [BucketScope.pool("busy"): TokenBucket(tokens: 0, at: noon)] : [:]
        let queued = [head, task("a", "next0"), task("a", "next1")]
        let plan = plan(queued, agents: [agent("x", pools: ["p", "busy"])], running: counts, buckets: buckets, settings: config)
        #expect(plan.order == ["next0", "next1"])
        #expect(plan.reason(head) != nil)
        #expect(plan.outlook["a"]?.reason == nil, "the tenant is moving")
    }

    @Test(arguments: ["running", "rate", "daily"])
    func tenantWideQuotaHoldsBackEverythingBehind(kind: String) throws {
        let scope = QuotaScope(tenant: "a")
        var config = GovernanceSettings()
        var counts = RunningCounts()
        var daily: [QuotaScope: Int] = [:]
        var buckets: [String: TokenBucket] = [:]
        switch kind {
        case "running":
            config.quotas[scope] = Quota(maxRunning: 1)
            counts.add(tenant: "a", pool: "p", key: nil)
        case "rate":
            config.quotas[scope] = Quota(rate: 1)
            buckets[BucketScope.quota(scope)] = TokenBucket(tokens: 0.5, at: noon)
        default:
            config.quotas[scope] = Quota(dailyMax: 10)
            daily[scope] = 10
        }
        let queued = [task("a", "t0", pool: "q"), task("a", "t1"), task("a", "t2", pool: "r")]
        let plan = plan(queued, agents: [agent("x", pools: ["p", "q", "r"])], running: counts, daily: daily, buckets: buckets, settings: config)
        #expect(plan.dispatches.isEmpty)
        let reasons = queued.compactMap { plan.reason($0) }
        #expect(reasons.count == 3 && Set(reasons.map(\.description)).count == 1, "\(reasons)")
        #expect(plan.outlook["a"]?.reason == reasons.first?.description)
    }

    @Test func blockedTasksKeepTheirOrderForTheNextPass() {
        var cluster = Cluster([task("a", "gpu0", pool: "gpu"), task("a", "cpu0"), task("a", "gpu1", pool: "gpu"), task("a", "cpu1")],
                              agents: [agent("c", pools: ["p"])])
        #expect(cluster.pass().order == ["cpu0", "cpu1"])
        #expect(cluster.queues["a"]?.map(\.taskID) == ["gpu0", "gpu1"])
        cluster.agents.append(agent("g", pools: ["gpu"], slots: 1))
        #expect(cluster.pass().order == ["gpu0"])
        cluster.finish(1) { $0.agent == "g" }
        #expect(cluster.pass().order == ["gpu1"])
    }
}
