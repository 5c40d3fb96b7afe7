import Contracts
import Foundation

/// One queued task as the planner sees it.
public struct QueuedTask: Sendable, Equatable {
    public var runID: UUID
    public var taskID: String
    public var tenant: String
    public var pool: String
    public var priority: Int
    public var selector: LabelSelector
    public var concurrency: ConcurrencyLimit?

    public init(runID: UUID, taskID: String, tenant: String, pool: String, priority: Int = TaskSpec.defaultPriority,
                selector: LabelSelector = .any, concurrency: ConcurrencyLimit? = nil) {
        self.runID = runID
        self.taskID = taskID
        self.tenant = tenant
        self.pool = pool
        self.priority = priority
        self.selector = selector
        self.concurrency = concurrency
    }
}

/// A live agent: what it serves and how busy it is (running counts the dispatcher's leases on it).
public struct AgentState: Sendable, Equatable {
    public var id: String
    public var session: String?
    public var pools: Set<String>
    public var labels: [String: String]
    public var slots: Int
    public var running: Int
    public var load: Double?
    public var draining: Bool

    public init(id: String, session: String? = nil, pools: Set<String>, labels: [String: String] = [:], slots: Int,
                running: Int = 0, load: Double? = nil, draining: Bool = false) {
        self.id = id
        self.session = session
        self.pools = pools
        self.labels = labels
        self.slots = slots
        self.running = running
        self.load = load
        self.draining = draining
    }

    /// Share of slots in use; the least-loaded agent is the one with the lowest.
    var occupancy: Double { Double(running) / Double(max(slots, 1)) }
}

/// Tasks dispatched and not finished, counted every way a limit needs them.
public struct RunningCounts: Sendable, Equatable {
    public var total = 0
    public var byTenant: [String: Int] = [:]
    public var byTenantPool: [QuotaScope: Int] = [:]
    public var byPool: [String: Int] = [:]
    public var byKey: [String: Int] = [:]

    public init() {}

    public mutating func add(tenant: String, pool: String, key: String?, count: Int = 1) {
        total += count
        byTenant[tenant, default: 0] += count
        byTenantPool[QuotaScope(tenant: tenant, pool: pool), default: 0] += count
        byPool[pool, default: 0] += count
        if let key { byKey[key, default: 0] += count }
    }
}

/// Every limit in force, as configured.
public struct GovernanceSettings: Sendable, Equatable {
    /// Tenant-wide quotas (scope pool nil) and per-pool ones.
    public var quotas: [QuotaScope: Quota] = [:]
    public var global: Throttle = .none
    public var pools: [String: Throttle] = [:]
    /// Pools dedicated to one tenant; a pool not named here is shared.
    public var dedicated: [String: String] = [:]
    /// Fair-share weights; 1 when not named.
    public var weights: [String: Int] = [:]

    public init() {}

    public func weight(_ tenant: String) -> Double { Double(max(weights[tenant] ?? 1, 1)) }
}

/// Everything one planning pass decides from.
public struct DispatchSnapshot: Sendable {
    /// Seconds since 1970.
    public var now: Double
    /// Each tenant's queue head, most urgent first (priority 9 first, then oldest).
    public var queues: [String: [QueuedTask]]
    public var running: RunningCounts
    /// Dispatches so far today (UTC), tenant-wide (pool nil) and per pool.
    public var daily: [QuotaScope: Int]
    /// Token buckets by scope name (`BucketScope`).
    public var buckets: [String: TokenBucket]
    public var settings: GovernanceSettings
    public var agents: [AgentState]
    /// When the current ramp-up began (seconds since 1970), if one may still be in force.
    public var rampStartedAt: Double?
    /// The most dispatches one pass makes, so a pass stays a short transaction.
    public var maxDispatches: Int

    public init(now: Double, queues: [String: [QueuedTask]], running: RunningCounts = RunningCounts(), daily: [QuotaScope: Int] = [:],
                buckets: [String: TokenBucket] = [:], settings: GovernanceSettings = GovernanceSettings(), agents: [AgentState],
                rampStartedAt: Double? = nil, maxDispatches: Int = 1_000) {
        self.now = now
        self.queues = queues
        self.running = running
        self.daily = daily
        self.buckets = buckets
        self.settings = settings
        self.agents = agents
        self.rampStartedAt = rampStartedAt
        self.maxDispatches = maxDispatches
    }
}

/// Names of the token buckets, which is also how they are stored.
public enum BucketScope {
    public static let global = "global"
    public static func pool(_ pool: String) -> String { "pool:\(pool)" }
    public static func quota(_ scope: QuotaScope) -> String {
        scope.pool.map { "tenant:\(scope.tenant)/pool:\($0)" } ?? "tenant:\(scope.tenant)"
    }
}
