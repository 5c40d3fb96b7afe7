import Contracts
import Foundation

/// The limits a pass checks, from the widest (platform) to the narrowest (one agent).
extension PlanningPass {
    static let unlimitedRampTarget = 10_000.0

    /// The platform ceiling now: the configured one lowered by open peak windows, the ramp-up
    /// after a (re)start and the slow-down when agents are loaded or nearly full.
    static func globalGate(_ snapshot: DispatchSnapshot) -> Gate {
        let throttle = snapshot.settings.global
        let ceilings = throttle.ceilings(at: snapshot.now)
        let peak = ceilings.peak ? "peak window" : nil
        var gate = Gate(rate: ceilings.rate, burst: throttle.burst, maxRunning: ceilings.maxRunning, rateWhy: peak, runningWhy: peak)
        let rampSeconds = throttle.rampUpSeconds ?? Throttle.defaultRampUpSeconds
        if let start = snapshot.rampStartedAt, rampSeconds > 0, snapshot.now - start < rampSeconds {
            let full = gate.rate ?? unlimitedRampTarget
            let first = min(throttle.rampStartRate ?? Throttle.defaultRampStartRate, full)
            let rate = first * pow(full / first, max(0, snapshot.now - start) / rampSeconds)
            if rate < gate.rate ?? .infinity { gate.rate = rate; gate.rateWhy = "ramp-up after a restart" }
        }
        if let strain = strain(snapshot) {
            let rate = throttle.slowDownRate ?? Throttle.defaultSlowDownRate
            if rate < gate.rate ?? .infinity { gate.rate = rate; gate.rateWhy = "slowed down: \(strain)" }
        }
        return gate
    }

    /// Why the agents look strained, if they do: high mean load, or ≥ 90% of slots in use.
    static func strain(_ snapshot: DispatchSnapshot) -> String? {
        let serving = snapshot.agents.filter { !$0.draining }
        let loads = serving.compactMap(\.load)
        let threshold = snapshot.settings.global.slowDownLoad ?? Throttle.defaultSlowDownLoad
        if !loads.isEmpty {
            // Summed in sorted order so the agents' order cannot tip a mean that sits at the threshold.
            let mean = loads.sorted().reduce(0, +) / Double(loads.count)
            if mean >= threshold { return String(format: "agents' mean load %.2f ≥ %.2f", mean, threshold) }
        }
        // Tasks on draining (or lost) agents use none of the slots counted here.
        let slots = serving.reduce(0) { $0 + $1.slots }, busy = serving.reduce(0) { $0 + $1.running }
        if slots > 0, Double(busy) >= 0.9 * Double(slots) {
            return "\(busy) of \(slots) agent slots in use"
        }
        return nil
    }

    mutating func globalStop() -> WaitReason? {
        if let limit = global.maxRunning, running.total >= limit { return .globalRunning(limit, why: global.runningWhy) }
        if let rate = global.rate, !token(BucketScope.global, rate: rate, burst: global.burst) {
            return .globalRate(rate, why: global.rateWhy)
        }
        return nil
    }

    func globalNext() -> Double? {
        guard let rate = global.rate, let bucket = plan.buckets[BucketScope.global], !bucket.hasToken else { return nil }
        return snapshot.now + bucket.secondsUntilToken(rate: rate)
    }

    /// A tenant-wide quota that holds the tenant back now, and when it may lift.
    mutating func tenantBlock(_ tenant: String) -> (reason: WaitReason, next: Double?)? {
        quotaBlock(QuotaScope(tenant: tenant))
    }

    mutating func quotaBlock(_ scope: QuotaScope) -> (reason: WaitReason, next: Double?)? {
        guard let quota = snapshot.settings.quotas[scope] else { return nil }
        if let limit = quota.dailyMax, daily[scope, default: 0] >= limit {
            plan.dailyReached.insert(scope)
            return (.quotaDaily(scope, limit), Self.nextUTCMidnight(after: snapshot.now))
        }
        let count = scope.pool.map { running.byTenantPool[QuotaScope(tenant: scope.tenant, pool: $0), default: 0] }
            ?? running.byTenant[scope.tenant, default: 0]
        if let limit = quota.maxRunning, count >= limit { return (.quotaRunning(scope, limit), nil) }
        let name = BucketScope.quota(scope)
        if let rate = quota.rate, !token(name, rate: rate, burst: quota.burst) {
            return (.quotaRate(scope, rate), plan.buckets[name].map { snapshot.now + $0.secondsUntilToken(rate: rate) })
        }
        return nil
    }

    /// Where `task` can run now, or why it cannot.
    mutating func placement(_ task: QueuedTask) -> Result<Int, WaitReason> {
        if let owner = snapshot.settings.dedicated[task.pool], owner != task.tenant { return .failure(.dedicated(pool: task.pool)) }
        if let throttle = snapshot.settings.pools[task.pool] {
            let ceilings = throttle.ceilings(at: snapshot.now)
            let why = ceilings.peak ? "peak window" : nil
            if let limit = ceilings.maxRunning, running.byPool[task.pool, default: 0] >= limit {
                return .failure(.poolRunning(task.pool, limit, why: why))
            }
            if let rate = ceilings.rate, !token(BucketScope.pool(task.pool), rate: rate, burst: throttle.burst) {
                return .failure(.poolRate(task.pool, rate, why: why))
            }
        }
        if let block = quotaBlock(QuotaScope(tenant: task.tenant, pool: task.pool)) { return .failure(block.reason) }
        if let key = task.concurrency, running.byKey[key.key, default: 0] >= key.limit {
            return .failure(.concurrency(key.key, key.limit))
        }
        return agent(for: task)
    }

    /// The least-loaded live agent that serves the pool, matches the selector, is not draining and
    /// has a free slot (lowest share of slots in use, then lowest load, then id).
    func agent(for task: QueuedTask) -> Result<Int, WaitReason> {
        var serving = false, matching = false, open = false
        var best: Int?
        for (index, agent) in agents.enumerated() where agent.pools.contains(task.pool) {
            serving = true
            guard task.selector.matches(agent.labels) else { continue }
            matching = true
            guard !agent.draining else { continue }
            open = true
            guard agent.running < agent.slots else { continue }
            if let current = best, !Self.lessLoaded(agent, than: agents[current]) { continue }
            best = index
        }
        if let best { return .success(best) }
        if !serving { return .failure(.noAgentInPool(task.pool)) }
        if !matching { return .failure(.noAgentMatches(pool: task.pool, selector: task.selector.description)) }
        if !open { return .failure(.agentsDraining(pool: task.pool)) }
        return .failure(.agentsBusy(pool: task.pool))
    }

    static func lessLoaded(_ lhs: AgentState, than rhs: AgentState) -> Bool {
        if lhs.occupancy != rhs.occupancy { return lhs.occupancy < rhs.occupancy }
        if (lhs.load ?? 0) != (rhs.load ?? 0) { return (lhs.load ?? 0) < (rhs.load ?? 0) }
        return lhs.id < rhs.id
    }

    /// Whether bucket `name` holds a token now (refilling it first). Taking it is `commit`'s job,
    /// which draws from every bucket the dispatch passes.
    mutating func token(_ name: String, rate: Double, burst: Int?) -> Bool {
        let bucket = TokenBucket.refilled(plan.buckets[name], rate: rate, capacity: TokenBucket.capacity(rate: rate, burst: burst),
                                          now: snapshot.now)
        plan.buckets[name] = bucket
        inForce.insert(name)
        return bucket.hasToken
    }

    static func nextUTCMidnight(after instant: Double) -> Double {
        (instant / 86_400).rounded(.down) * 86_400 + 86_400
    }
}
