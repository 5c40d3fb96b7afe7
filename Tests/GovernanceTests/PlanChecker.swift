import Contracts
import Governance
import Testing

/// The invariants every plan keeps, checked against its snapshot independently of the planner.
struct PlanChecker {
    let snapshot: DispatchSnapshot
    let plan: DispatchPlan
    let context: String

    static func same(_ lhs: DispatchPlan, _ rhs: DispatchPlan) -> Bool {
        lhs.dispatches == rhs.dispatches && lhs.waits == rhs.waits && lhs.buckets == rhs.buckets && lhs.outlook == rhs.outlook
            && lhs.dailyReached == rhs.dailyReached && lhs.globalAdjustment == rhs.globalAdjustment
    }

    func check() {
        checkLimitsByReplaying()
        checkEveryTaskIsAccountedFor()
        checkQueueOrderAndTenantHolds()
        checkBuckets()
        checkDailyAlerts()
    }

    /// Replays the dispatches in order: before each, every limit on it must have room.
    func checkLimitsByReplaying() {
        var counts = snapshot.running
        var daily = snapshot.daily
        var agentRunning = Dictionary(uniqueKeysWithValues: snapshot.agents.map { ($0.id, $0.running) })
        let agents = Dictionary(uniqueKeysWithValues: snapshot.agents.map { ($0.id, $0) })
        let settings = snapshot.settings
        let global = settings.global.ceilings(at: snapshot.now)
        for decision in plan.dispatches {
            let task = decision.task, at = "\(context): \(DispatchPlan.key(task))"
            let tenant = QuotaScope(tenant: task.tenant), inPool = QuotaScope(tenant: task.tenant, pool: task.pool)
            guard let agent = agents[decision.agentID] else {
                Issue.record("\(at) went to unknown agent \(decision.agentID)")
                continue
            }
            #expect(decision.agentSession == agent.session, "\(at)")
            #expect(!agent.draining && agent.pools.contains(task.pool) && task.selector.matches(agent.labels), "\(at): ineligible \(agent.id)")
            #expect(agentRunning[agent.id, default: 0] < agent.slots, "\(at): \(agent.id) is full")
            #expect(settings.dedicated[task.pool].map { $0 == task.tenant } ?? true, "\(at): pool \(task.pool) is dedicated")
            if let limit = global.maxRunning { #expect(counts.total < limit, "\(at): platform running") }
            if let limit = settings.pools[task.pool]?.ceilings(at: snapshot.now).maxRunning {
                #expect(counts.byPool[task.pool, default: 0] < limit, "\(at): pool running")
            }
            for scope in [tenant, inPool] {
                guard let quota = settings.quotas[scope] else { continue }
                let running = scope.pool == nil ? counts.byTenant[task.tenant, default: 0] : counts.byTenantPool[scope, default: 0]
                if let limit = quota.maxRunning { #expect(running < limit, "\(at): quota running of \(scope)") }
                if let limit = quota.dailyMax { #expect(daily[scope, default: 0] < limit, "\(at): daily quota of \(scope)") }
            }
            if let key = task.concurrency { #expect(counts.byKey[key.key, default: 0] < key.limit, "\(at): key \(key.key)") }
            counts.add(tenant: task.tenant, pool: task.pool, key: task.concurrency?.key)
            daily[tenant, default: 0] += 1
            daily[inPool, default: 0] += 1
            agentRunning[agent.id, default: 0] += 1
        }
    }

    /// Each queued task is dispatched once, or waits with a reason, or lay beyond a full pass.
    func checkEveryTaskIsAccountedFor() {
        let dispatched = plan.dispatches.map { DispatchPlan.key($0.task) }
        #expect(Set(dispatched).count == dispatched.count, "\(context): a task went twice")
        let queued = Set(snapshot.queues.values.joined().map(DispatchPlan.key))
        #expect(Set(dispatched).isSubset(of: queued), "\(context): dispatched a task that was not queued")
        #expect(Set(plan.waits.keys).isSubset(of: queued), "\(context): a wait for a task that was not queued")
        #expect(Set(dispatched).isDisjoint(with: plan.waits.keys), "\(context): a task both went and waits")
        let passFull = plan.dispatches.count == snapshot.maxDispatches
        #expect(plan.dispatches.count <= snapshot.maxDispatches, "\(context)")
        let unaccounted = queued.subtracting(dispatched).subtracting(plan.waits.keys)
        #expect(unaccounted.isEmpty || passFull, "\(context): \(unaccounted.count) tasks neither went nor wait")
    }

    /// Within a tenant, dispatches keep the queue's order, and a tenant-wide hold stops the rest.
    func checkQueueOrderAndTenantHolds() {
        for (tenant, queue) in snapshot.queues {
            let went = Set(plan.dispatches.filter { $0.task.tenant == tenant }.map { DispatchPlan.key($0.task) })
            let order = queue.map(DispatchPlan.key).filter(went.contains)
            #expect(order == plan.dispatches.filter { $0.task.tenant == tenant }.map { DispatchPlan.key($0.task) },
                    "\(context): \(tenant)'s dispatches left its queue order")
            if let held = queue.firstIndex(where: { plan.waits[DispatchPlan.key($0)].map(Self.holdsTenant) ?? false }) {
                #expect(queue[held...].allSatisfy { !went.contains(DispatchPlan.key($0)) },
                        "\(context): \(tenant) dispatched past a tenant-wide hold")
            }
            if went.isEmpty, let first = queue.first, let reason = plan.waits[DispatchPlan.key(first)] {
                #expect(plan.outlook[tenant]?.reason == reason.description, "\(context): \(tenant)'s outlook")
            }
        }
    }

    static func holdsTenant(_ reason: WaitReason) -> Bool {
        switch reason {
        case .quotaRunning(let scope, _), .quotaRate(let scope, _), .quotaDaily(let scope, _): scope.pool == nil
        default: false
        }
    }

    /// No bucket goes below zero; a quota or pool bucket gave exactly one token per dispatch.
    func checkBuckets() {
        for (name, bucket) in plan.buckets { #expect(bucket.tokens >= -1e-9, "\(context): bucket \(name) at \(bucket.tokens)") }
        var limits: [String: (rate: Double, burst: Int?, through: Int)] = [:]
        for (scope, quota) in snapshot.settings.quotas {
            guard let rate = quota.rate else { continue }
            let through = plan.dispatches.count { $0.task.tenant == scope.tenant && (scope.pool == nil || $0.task.pool == scope.pool) }
            limits[BucketScope.quota(scope)] = (rate, quota.burst, through)
        }
        for (pool, throttle) in snapshot.settings.pools {
            guard let rate = throttle.ceilings(at: snapshot.now).rate else { continue }
            limits[BucketScope.pool(pool)] = (rate, throttle.burst, plan.dispatches.count { $0.task.pool == pool })
        }
        for (name, limit) in limits where limit.through > 0 {
            let refilled = TokenBucket.refilled(snapshot.buckets[name], rate: limit.rate,
                                                capacity: TokenBucket.capacity(rate: limit.rate, burst: limit.burst), now: snapshot.now)
            let left = plan.buckets[name]?.tokens ?? .nan
            #expect(abs(left - (refilled.tokens - Double(limit.through))) < 1e-6,
                    "\(context): bucket \(name) had \(refilled.tokens), \(limit.through) went, \(left) left")
        }
    }

    /// An alert names a configured daily quota that is used up and holds work back.
    func checkDailyAlerts() {
        for scope in plan.dailyReached {
            let limit = snapshot.settings.quotas[scope]?.dailyMax
            #expect(limit != nil, "\(context): alert for \(scope) without a daily quota")
            #expect(plan.waits.values.contains(.quotaDaily(scope, limit ?? -1)), "\(context): alert for \(scope) holds nothing")
        }
        for reason in plan.waits.values {
            if case .quotaDaily(let scope, _) = reason { #expect(plan.dailyReached.contains(scope), "\(context): no alert for \(scope)") }
        }
    }
}
