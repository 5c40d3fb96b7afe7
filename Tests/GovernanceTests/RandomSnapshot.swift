import Contracts
import Foundation
import Governance

/// Random but plausible snapshots: a few tenants, pools, keys and agents, every limit sometimes set.
enum RandomSnapshot {
    static let tenants = ["t0", "t1", "t2", "t3"]
    static let pools = ["p0", "p1", "p2"]
    static let keys = ["db:ledger", "db:hr"]
    static let selectors = ["", "os=linux", "os!=linux", "gpu", "!gpu", "zone in (a, b)", "os=linux,zone notin (c)"]

    static func make(using random: inout SeededRandom) throws -> DispatchSnapshot {
        let now = noon + Double(Int.random(in: 0..<7 * 24 * 4, using: &random)) * 900
        let tenants = Array(Self.tenants.prefix(Int.random(in: 1...4, using: &random)))
        let selectors = try selectors.map { try LabelSelector(parsing: $0) }
        var settings = GovernanceSettings()
        var queues: [String: [QueuedTask]] = [:]
        var running = RunningCounts()
        var daily: [QuotaScope: Int] = [:]
        for tenant in tenants {
            let run = runID(tenant)
            queues[tenant] = (0..<Int.random(in: 0...25, using: &random)).map { index in
                let key = Bool.random(using: &random) && Bool.random(using: &random)
                    ? ConcurrencyLimit(key: keys.randomElement(using: &random) ?? "k", limit: Int.random(in: 1...3, using: &random)) : nil
                return QueuedTask(runID: run, taskID: "\(tenant)-\(index)", tenant: tenant, pool: pools.randomElement(using: &random) ?? "p0",
                                  priority: Int.random(in: 0...9, using: &random),
                                  selector: Int.random(in: 0..<3, using: &random) == 0 ? (selectors.randomElement(using: &random) ?? .any) : .any,
                                  concurrency: key)
            }
            for pool in pools where Bool.random(using: &random) {
                running.add(tenant: tenant, pool: pool, key: chance(0.3, &random) ? keys.randomElement(using: &random) : nil,
                            count: Int.random(in: 1...3, using: &random))
            }
            if chance(0.5, &random) { settings.quotas[QuotaScope(tenant: tenant)] = quota(using: &random) }
            for pool in pools where chance(0.25, &random) { settings.quotas[QuotaScope(tenant: tenant, pool: pool)] = quota(using: &random) }
            for scope in [QuotaScope(tenant: tenant)] + pools.map({ QuotaScope(tenant: tenant, pool: $0) }) where chance(0.5, &random) {
                daily[scope] = Int.random(in: 0...12, using: &random)
            }
            if chance(0.5, &random) { settings.weights[tenant] = Int.random(in: 1...4, using: &random) }
        }
        if chance(0.5, &random) { settings.global = throttle(using: &random) }
        if chance(0.3, &random) { settings.global.rampUpSeconds = Double(Int.random(in: 0...30, using: &random)) }
        if chance(0.3, &random) { settings.global.rampStartRate = Double(Int.random(in: 1...20, using: &random)) }
        if chance(0.3, &random) { settings.global.slowDownLoad = Double(Int.random(in: 5...15, using: &random)) / 10 }
        if chance(0.3, &random) { settings.global.slowDownRate = Double(Int.random(in: 1...10, using: &random)) }
        for pool in pools {
            if chance(0.35, &random) { settings.pools[pool] = throttle(using: &random) }
            if chance(0.15, &random) { settings.dedicated[pool] = tenants.randomElement(using: &random) }
        }
        var buckets: [String: TokenBucket] = [:]
        let names = [BucketScope.global] + pools.map(BucketScope.pool) + settings.quotas.keys.map(BucketScope.quota)
        for name in names where chance(0.5, &random) {
            buckets[name] = TokenBucket(tokens: Double(Int.random(in: 0...40, using: &random)) / 8,
                                        at: now - Double(Int.random(in: 0...20, using: &random)) / 4)
        }
        return DispatchSnapshot(now: now, queues: queues, running: running, daily: daily, buckets: buckets, settings: settings,
                                agents: agents(using: &random), rampStartedAt: chance(0.3, &random) ? now - Double(Int.random(in: 0...40, using: &random)) : nil,
                                maxDispatches: chance(0.5, &random) ? Int.random(in: 1...4, using: &random) : Int.random(in: 10...40, using: &random))
    }

    /// The same snapshot with its agents reversed and its queue dictionary built in another order.
    static func reordered(_ snapshot: DispatchSnapshot) -> DispatchSnapshot {
        var copy = snapshot
        copy.agents.reverse()
        copy.queues = [:]
        for tenant in snapshot.queues.keys.sorted().reversed() { copy.queues[tenant] = snapshot.queues[tenant] }
        return copy
    }

    static func chance(_ probability: Double, _ random: inout SeededRandom) -> Bool {
        Double.random(in: 0..<1, using: &random) < probability
    }

    static func maybe<T>(_ probability: Double, _ random: inout SeededRandom, _ make: (inout SeededRandom) -> T) -> T? {
        chance(probability, &random) ? make(&random) : nil
    }

    static func quota(using random: inout SeededRandom) -> Quota {
        Quota(maxRunning: maybe(0.5, &random) { Int.random(in: 0...6, using: &$0) },
              rate: maybe(0.4, &random) { Double(Int.random(in: 1...20, using: &$0)) / 4 },
              burst: maybe(0.3, &random) { Int.random(in: 1...5, using: &$0) },
              dailyMax: maybe(0.3, &random) { Int.random(in: 0...15, using: &$0) })
    }

    static func throttle(using random: inout SeededRandom) -> Throttle {
        var windows: [PeakWindow] = []
        if chance(0.3, &random) {
            // Open on some days of the week, all day, so the snapshot's day decides.
            let days = PeakWindow.dayNames.filter { _ in chance(0.5, &random) }
            windows.append(PeakWindow(days: days.isEmpty ? ["mon"] : days, from: "00:00", to: "00:00", timezone: "UTC",
                                      rate: maybe(0.6, &random) { Double(Int.random(in: 1...8, using: &$0)) / 2 },
                                      maxRunning: maybe(0.6, &random) { Int.random(in: 0...10, using: &$0) }))
        }
        return Throttle(rate: maybe(0.4, &random) { Double(Int.random(in: 1...40, using: &$0)) / 2 },
                        burst: maybe(0.4, &random) { Int.random(in: 1...8, using: &$0) },
                        maxRunning: maybe(0.5, &random) { Int.random(in: 0...40, using: &$0) }, peakWindows: windows)
    }

    static func agents(using random: inout SeededRandom) -> [AgentState] {
        (0..<(chance(0.1, &random) ? 0 : Int.random(in: 1...6, using: &random))).map { index in
            var labels: [String: String] = [:]
            if let os = ["linux", "windows", nil].randomElement(using: &random) ?? nil { labels["os"] = os }
            if chance(0.3, &random) { labels["gpu"] = "yes" }
            labels["zone"] = ["a", "b", "c"].randomElement(using: &random)
            var served = Set(pools.filter { _ in chance(0.6, &random) })
            if served.isEmpty { served = [pools.randomElement(using: &random) ?? "p0"] }
            let slots = Int.random(in: 0...8, using: &random)
            return AgentState(id: "agent\(index)", session: "s\(index)", pools: served, labels: labels, slots: slots,
                              running: Int.random(in: 0...slots + 1, using: &random),
                              load: maybe(0.6, &random) { Double(Int.random(in: 0...15, using: &$0)) / 10 },
                              draining: chance(0.15, &random))
        }
    }
}
