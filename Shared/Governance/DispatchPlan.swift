import Contracts
import Foundation

/// One task the pass dispatches, and the agent (process) it goes to.
public struct DispatchDecision: Sendable, Equatable {
    public var task: QueuedTask
    public var agentID: String
    public var agentSession: String?
}

/// What a tenant sees about its queue after a pass.
public struct TenantOutlook: Sendable, Equatable {
    /// Why its queue is not moving; nil when it is dispatching (or has nothing queued).
    public var reason: String?
    /// When the next dispatch can happen if nothing else changes (rate and daily limits); nil when
    /// it depends on running tasks ending.
    public var nextDispatchAt: Double?
}

/// The outcome of one planning pass.
public struct DispatchPlan: Sendable {
    public var dispatches: [DispatchDecision] = []
    /// Why each task the pass looked at and did not dispatch is waiting, by "run id/task id".
    public var waits: [String: WaitReason] = [:]
    /// Buckets refilled to `now` and drawn down by the dispatches; store them back.
    public var buckets: [String: TokenBucket] = [:]
    public var outlook: [String: TenantOutlook] = [:]
    /// Daily quotas that hold work back (alert once a day per scope).
    public var dailyReached: Set<QuotaScope> = []
    /// Why the platform ceiling is lower than configured right now (peak, ramp-up, slow-down).
    public var globalAdjustment: String?

    public static func key(_ task: QueuedTask) -> String { "\(task.runID.key)/\(task.taskID)" }
}
