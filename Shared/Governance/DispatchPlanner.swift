import Contracts
import Foundation

/// Decides which queued tasks go now and to which agent, honouring every limit at once:
/// platform and pool ceilings (with peak windows, ramp-up and slow-down), tenant and per-pool
/// quotas (running, rate, daily), concurrency keys, dedicated pools and agent eligibility.
///
/// Fairness: each step serves the tenant with the fewest running tasks on shared capacity (its
/// dedicated pools do not count) per unit of weight (ties:
/// fewer dispatched this pass, then name), so a tenant with a flood queued gets its share and no
/// more while others have work. Within a tenant, higher priority goes first, then older work.
/// A task that cannot go (its pool is full, its key is taken, no agent matches) does not hold
/// back the tasks behind it; a tenant-wide limit holds back the whole tenant.
///
/// Pure: the dispatcher loads a `DispatchSnapshot` under a lock, plans, and stores the result.
public enum DispatchPlanner {
    public static func plan(_ snapshot: DispatchSnapshot) -> DispatchPlan {
        var pass = PlanningPass(snapshot)
        pass.run()
        return pass.plan
    }
}

/// The mutable state of one pass: counts and buckets move as tasks are dispatched.
struct PlanningPass {
    let snapshot: DispatchSnapshot
    let global: Gate
    var running: RunningCounts
    var daily: [QuotaScope: Int]
    var agents: [AgentState]
    var plan = DispatchPlan()
    var cursor: [String: Int] = [:]
    var servedThisPass: [String: Int] = [:]
    /// Buckets whose limit is configured now (checked this pass); only these are drawn from, so a
    /// bucket left over from a removed limit cannot go negative.
    var inForce: Set<String> = []

    /// A ceiling in force now: its rate and running limit and why each differs from the setting
    /// (a peak window lowers both; ramp-up and slow-down lower only the rate).
    struct Gate {
        var rate: Double?
        var burst: Int?
        var maxRunning: Int?
        var rateWhy: String?
        var runningWhy: String?
    }

    init(_ snapshot: DispatchSnapshot) {
        self.snapshot = snapshot
        running = snapshot.running
        daily = snapshot.daily
        agents = snapshot.agents
        global = Self.globalGate(snapshot)
        plan.buckets = snapshot.buckets
        var whys: [String] = []
        for why in [global.runningWhy, global.rateWhy].compactMap({ $0 }) where !whys.contains(why) { whys.append(why) }
        plan.globalAdjustment = whys.isEmpty ? nil : whys.joined(separator: "; ")
    }

    mutating func run() {
        var tenants = Set(snapshot.queues.filter { !$0.value.isEmpty }.keys)
        while !tenants.isEmpty, plan.dispatches.count < snapshot.maxDispatches {
            if let stop = globalStop() {
                for tenant in tenants { hold(tenant, stop, next: globalNext()) }
                return
            }
            guard let tenant = fairestTenant(tenants) else { return }
            // A tenant whose last queued task just went has nothing a limit could hold back.
            if cursor[tenant, default: 0] >= snapshot.queues[tenant]?.count ?? 0 {
                tenants.remove(tenant)
                continue
            }
            if let block = tenantBlock(tenant) {
                hold(tenant, block.reason, next: block.next)
                tenants.remove(tenant)
                continue
            }
            if !dispatchNext(of: tenant) {
                tenants.remove(tenant)
                if servedThisPass[tenant, default: 0] == 0, let first = snapshot.queues[tenant]?.first,
                   let reason = plan.waits[DispatchPlan.key(first)] {
                    plan.outlook[tenant] = TenantOutlook(reason: reason.description, nextDispatchAt: nil)
                }
            }
        }
    }

    // MARK: choosing

    private func fairestTenant(_ tenants: Set<String>) -> String? {
        tenants.min { lhs, rhs in
            let left = Double(sharedRunning(lhs)) / snapshot.settings.weight(lhs)
            let right = Double(sharedRunning(rhs)) / snapshot.settings.weight(rhs)
            if left != right { return left < right }
            let leftServed = servedThisPass[lhs, default: 0], rightServed = servedThisPass[rhs, default: 0]
            if leftServed != rightServed { return leftServed < rightServed }
            return lhs < rhs
        }
    }

    /// A tenant's running tasks on shared capacity: what it runs in pools dedicated to it is its
    /// own and does not count against its share of the rest.
    private func sharedRunning(_ tenant: String) -> Int {
        var count = running.byTenant[tenant, default: 0]
        for (pool, owner) in snapshot.settings.dedicated where owner == tenant {
            count -= running.byTenantPool[QuotaScope(tenant: tenant, pool: pool), default: 0]
        }
        return count
    }

    /// Dispatches the tenant's first task that can go; false when none of the rest can.
    private mutating func dispatchNext(of tenant: String) -> Bool {
        guard let queue = snapshot.queues[tenant] else { return false }
        var index = cursor[tenant, default: 0]
        defer { cursor[tenant] = index }
        while index < queue.count {
            let task = queue[index]
            index += 1
            switch placement(task) {
            case .failure(let reason): plan.waits[DispatchPlan.key(task)] = reason
            case .success(let agent):
                commit(task, agent: agent)
                return true
            }
        }
        return false
    }

    private mutating func commit(_ task: QueuedTask, agent: Int) {
        agents[agent].running += 1
        running.add(tenant: task.tenant, pool: task.pool, key: task.concurrency?.key)
        servedThisPass[task.tenant, default: 0] += 1
        let tenantScope = QuotaScope(tenant: task.tenant), poolScope = QuotaScope(tenant: task.tenant, pool: task.pool)
        daily[tenantScope, default: 0] += 1
        daily[poolScope, default: 0] += 1
        for name in [BucketScope.global, BucketScope.pool(task.pool), BucketScope.quota(tenantScope), BucketScope.quota(poolScope)]
        where inForce.contains(name) {
            plan.buckets[name]?.take()
        }
        plan.dispatches.append(DispatchDecision(task: task, agentID: agents[agent].id, agentSession: agents[agent].session))
        plan.outlook[task.tenant] = TenantOutlook(reason: nil, nextDispatchAt: nil)
    }

    private mutating func hold(_ tenant: String, _ reason: WaitReason, next: Double?) {
        let queue = snapshot.queues[tenant] ?? []
        for task in queue[min(cursor[tenant, default: 0], queue.count)...] where plan.waits[DispatchPlan.key(task)] == nil {
            plan.waits[DispatchPlan.key(task)] = reason
        }
        cursor[tenant] = queue.count
        if servedThisPass[tenant, default: 0] == 0 || reason.blocksTenant {
            plan.outlook[tenant] = TenantOutlook(reason: reason.description, nextDispatchAt: next)
        }
    }
}
