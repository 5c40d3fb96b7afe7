import Foundation
import Postgres
import Runtime
import ServiceKit

/// Leader election for the schedule ticker. Every trigger-service instance campaigns for a
/// session-level advisory lock on a dedicated connection; the holder bumps the fencing token and
/// ticks until its session breaks or it is stopped. When the leader dies, Postgres drops its
/// session and its lock, and a standby (polling every `campaignInterval`) takes over within
/// seconds. Every fire transaction checks the token, so a leader that was deposed without
/// noticing cannot fire anything.
struct SchedulerLeader: Service {
    let name = "scheduler"
    static let lockKey: Int64 = 0x574C_5343_4845_44  // "WLSCHED"

    let ticker: ScheduleTicker
    let database: PostgresClient
    let instance: String
    let logger: Logger
    let tickInterval: Duration
    let campaignInterval: Duration
    /// The scheduler's clock: tests of the service drive it; production reads the system clock.
    let now: @Sendable () -> Date

    private static let leading = Metrics.shared.gauge("wl_scheduler_leader", help: "1 while this instance is the scheduling leader")

    func run() async throws {
        while !Task.isCancelled {
            do {
                try await database.withDedicatedSession { session in try await lead(session) }
            } catch {
                if Task.isCancelled { return }
                logger.warning("scheduler stepped down; campaigning again", [LogKey.error: "\(error)"])
                await Task.pause(campaignInterval)
            }
        }
    }

    private func lead(_ session: PostgresSession) async throws {
        while !Task.isCancelled {
            let won = try await session.run { connection in
                try connection.query("SELECT pg_try_advisory_lock($1) AS won", [Self.lockKey]).first?.bool("won") ?? false
            }
            if won { break }
            await Task.pause(campaignInterval)
        }
        guard !Task.isCancelled else { return }
        let fence = try await session.run { [instance] connection in try Fencing.acquire(holder: instance, connection) }
        Self.leading.set(1)
        logger.info("became the scheduling leader", ["fence": "\(fence)", "instance": instance])
        defer { Self.leading.set(0) }
        while !Task.isCancelled {
            // Proves the session, and with it the lock, is still ours before acting as leader.
            try await session.run { try $0.execute("SELECT 1") }
            let worked = try await ticker.tick(fence: fence, now: now())
            if worked == 0 { await Task.pause(tickInterval) }
        }
    }
}
