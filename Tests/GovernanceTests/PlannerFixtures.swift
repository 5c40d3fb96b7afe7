import Contracts
import Foundation
import Governance

// MARK: - Instants

/// Wednesday 2024-06-05 12:00:00 UTC, a plain weekday with no DST change anywhere near.
let noon: Double = 1_717_588_800
let hour: Double = 3_600
let day: Double = 86_400

// MARK: - Building snapshots

/// A run id per tenant, so keys are stable across runs of the suite.
func runID(_ tenant: String) -> UUID {
    var bytes = [UInt8](repeating: 0, count: 16)
    for (index, byte) in tenant.utf8.prefix(16).enumerated() { bytes[index] = byte }
    return UUID(uuid: (bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7],
                       bytes[8], bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]))
}

func task(_ tenant: String, _ id: String, pool: String = "p", priority: Int = TaskSpec.defaultPriority,
          selector: LabelSelector = .any, key: String? = nil, limit: Int = 1) -> QueuedTask {
    QueuedTask(runID: runID(tenant), taskID: id, tenant: tenant, pool: pool, priority: priority, selector: selector,
               concurrency: key.map { ConcurrencyLimit(key: $0, limit: limit) })
}

/// `count` tasks of one tenant named `prefix0`, `prefix1`, ….
func tasks(_ tenant: String, _ count: Int, prefix: String? = nil, pool: String = "p", key: String? = nil, limit: Int = 1) -> [QueuedTask] {
    (0..<count).map { task(tenant, "\(prefix ?? tenant)\($0)", pool: pool, key: key, limit: limit) }
}

func agent(_ id: String, pools: Set<String> = ["p"], slots: Int = 100, running: Int = 0, labels: [String: String] = [:],
           load: Double? = nil, draining: Bool = false) -> AgentState {
    AgentState(id: id, session: "\(id)-session", pools: pools, labels: labels, slots: slots, running: running, load: load, draining: draining)
}

/// Groups tasks by tenant, keeping their order.
func queues(_ tasks: [QueuedTask]) -> [String: [QueuedTask]] {
    var result: [String: [QueuedTask]] = [:]
    for task in tasks { result[task.tenant, default: []].append(task) }
    return result
}

/// Settings built in place: `settings { $0.weights["b"] = 3 }`.
func settings(_ configure: (inout GovernanceSettings) -> Void = { _ in }) -> GovernanceSettings {
    var settings = GovernanceSettings()
    configure(&settings)
    return settings
}

func plan(_ tasks: [QueuedTask], agents: [AgentState] = [agent("x")], running: RunningCounts = RunningCounts(),
          daily: [QuotaScope: Int] = [:], buckets: [String: TokenBucket] = [:], settings: GovernanceSettings = GovernanceSettings(),
          now: Double = noon, rampStartedAt: Double? = nil, maxDispatches: Int = 1_000) -> DispatchPlan {
    DispatchPlanner.plan(DispatchSnapshot(now: now, queues: queues(tasks), running: running, daily: daily, buckets: buckets,
                                          settings: settings, agents: agents, rampStartedAt: rampStartedAt, maxDispatches: maxDispatches))
}

func running(_ entries: [(tenant: String, pool: String, key: String?, count: Int)]) -> RunningCounts {
    var counts = RunningCounts()
    for entry in entries { counts.add(tenant: entry.tenant, pool: entry.pool, key: entry.key, count: entry.count) }
    return counts
}

extension DispatchPlan {
    /// Task ids in dispatch order.
    var order: [String] { dispatches.map(\.task.taskID) }

    func reason(_ task: QueuedTask) -> WaitReason? { waits[DispatchPlan.key(task)] }

    func agent(of taskID: String) -> String? { dispatches.first { $0.task.taskID == taskID }?.agentID }
}

// MARK: - Randomness

/// SplitMix64: a seeded generator, so random tests replay exactly.
struct SeededRandom: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
