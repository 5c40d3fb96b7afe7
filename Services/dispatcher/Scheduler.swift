import Contracts
import Foundation
import Governance
import Postgres
import Runtime
import ServiceKit

/// Runs scheduling passes: when woken (a task was queued, a slot freed, an agent was lost) and at
/// least every `interval` (token buckets refill with time). Each pass is one transaction that
/// first takes a Postgres advisory lock, so passes of all dispatcher instances run one after
/// another and every global limit holds across instances; the lock dies with a killed instance's
/// connection, so a survivor carries on at once. Ingest (queueing ready tasks, tracking reports,
/// heartbeats) is shared by partition through the consumer group; passes are short, so instances
/// take turns rather than wait on one another.
struct Scheduler: Service {
    let name = "scheduler"
    let context: ServiceContext
    let loader: SnapshotLoader
    let writer: PlanWriter
    let wake: WakeSignal
    let backlog: Backlog
    let interval: Duration
    let metrics: DispatcherMetrics

    /// The bytes of "wlsched".
    static let lockKey: Int64 = 0x0077_6c73_6368_6564

    func run() async throws {
        var first = true
        var depth = loader.depth.initial
        while !Task.isCancelled {
            do {
                let dispatched = try await pass(startsRamp: first, depth: &depth)
                first = false
                if dispatched >= loader.maxDispatches { continue }
            } catch {
                context.logger.error("scheduling pass failed", [LogKey.error: "\(error)"])
            }
            await wake.wait(upTo: interval)
        }
    }

    /// One pass, reading each tenant's queue to `depth`, which it sets for the next pass;
    /// returns how many tasks it dispatched.
    func pass(startsRamp: Bool, depth: inout Int) async throws -> Int {
        let readDepth = depth
        let started = ContinuousClock.now
        let loader = loader, writer = writer
        backlog.markWaiting()
        let outcome = try await context.transaction { connection, outbox -> PassOutcome in
            try connection.executeDeferred("SELECT pg_advisory_xact_lock($1)", [Self.lockKey])
            guard let loaded = try loader.load(connection, startsRamp: startsRamp, depth: readDepth) else {
                try connection.executeDeferred("UPDATE dispatcher_state SET last_pass_at = now(), adjustment = NULL WHERE id = 1")
                return PassOutcome(dispatched: [], adjustment: nil, leftWaiting: false, nextDepth: readDepth)
            }
            let plan = DispatchPlanner.plan(loaded.snapshot)
            try writer.apply(plan, recordedWaits: loaded.waitReasons, connection, outbox)
            try connection.executeDeferred("UPDATE dispatcher_state SET last_pass_at = now(), adjustment = $1 WHERE id = 1", [plan.globalAdjustment])
            // A queue head read whole may have more behind it.
            let seen = loaded.snapshot.queues.values
            let left = seen.reduce(0) { $0 + $1.count } > plan.dispatches.count || seen.contains { $0.count >= readDepth }
            return PassOutcome(dispatched: plan.dispatches.map(\.task.tenant), adjustment: plan.globalAdjustment, leftWaiting: left,
                               nextDepth: loader.depth.next(after: loaded.snapshot, plan))
        }
        depth = outcome.nextDepth
        backlog.passEnded(left: outcome.leftWaiting)
        metrics.recordPass(outcome, since: started)
        return outcome.dispatched.count
    }
}

/// What a pass did, for metrics.
struct PassOutcome: Sendable {
    let dispatched: [String]
    let adjustment: String?
    /// Whether queued tasks were left behind (see `Backlog`).
    let leftWaiting: Bool
    /// How deep the next pass reads the queues (`QueueReadDepth`).
    let nextDepth: Int
}
