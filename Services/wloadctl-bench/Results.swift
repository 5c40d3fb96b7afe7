import Foundation

/// Throughput of a batch of wide-DAG runs (orchestration with simulated agents, or execution
/// with `/bin/true`), with what it cost.
struct ThroughputResult: Codable, Sendable {
    var tasks: Int
    var runs: Int
    var tenants: Int
    var seconds: Double
    var tasksPerSecond: Double
    var verification: RunProbe.Verification
    /// Queued → dispatched under this load (not the moderate-load figure).
    var decisionMs: Percentiles
    var cpuSeconds: [String: Double]
    var postgresCPUSeconds: Double
    var rowsWritten: Int64
    var rowsPerTask: Double
    var kafkaMessages: Int64
    var messagesPerTask: Double
    var worstConsumerLag: Double
    var worstConsumerLagWhere: String
}

struct LatencyResult: Codable, Sendable {
    var runs: Int
    var tasksPerRun: Int
    var runsPerSecond: Double
    var verification: RunProbe.Verification
    var triggerToFirstStartedMs: Percentiles
    var readyToDispatchedMs: Percentiles
    var finishedToDownstreamDispatchedMs: Percentiles
}

struct NeighbourResult: Codable, Sendable {
    var floodTasks: Int
    var floodSeconds: Double
    var neighbourTasks: Int
    var verification: RunProbe.Verification
    /// Tenant B's tasks: ready (their run created by the resolver; they have no dependencies)
    /// → dispatched. What B waits for A: the target is judged on it.
    var neighbourReadyToDispatchedMs: Percentiles
    /// Tenant B's tasks: queued by the dispatcher → dispatched, the scheduling part of the wait
    /// (before it, B's readies wait behind A's on their way into the queue).
    var neighbourQueuedToDispatchedMs: Percentiles
    var floodQueuedToDispatchedMs: Percentiles
}

/// One target of the issue and whether this run met it.
struct TargetCheck: Codable, Sendable {
    var name: String
    var target: String
    var measured: String
    var met: Bool
}

struct BenchReport: Codable, Sendable {
    var startedAt: String
    var finishedAt: String
    var host: Host
    var settings: BenchSettings
    var orchestration: ThroughputResult
    var execution: ThroughputResult
    var latency: LatencyResult
    var noisyNeighbour: NeighbourResult
    var baseline: Baseline.Result
    var baselineTasksPerSecond: Double
    var orchestrationShareOfBaseline: Double
    var peakRSSMiB: [String: Double]
    var targets: [TargetCheck]

    struct Host: Codable, Sendable {
        var cpus: Int
        var memoryGiB: Double
        var kernel: String
    }

    /// Every run and task of every scenario succeeded exactly once.
    var allSucceeded: Bool {
        [orchestration.verification, execution.verification, latency.verification, noisyNeighbour.verification].allSatisfy(\.allSucceeded)
    }
}
