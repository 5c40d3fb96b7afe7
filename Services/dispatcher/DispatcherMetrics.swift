import Foundation
import Postgres
import Runtime
import ServiceKit

/// Prometheus metrics of the dispatcher: pass timing and dispatch counts as they happen, and a
/// refresh every few seconds of each tenant's running/queued counts and throttle state and of the
/// agents by state.
struct DispatcherMetrics: Sendable {
    /// The kinds a throttle reason starts with; each tenant has a 0/1 gauge per kind.
    static let reasonKinds = ["quota", "throttle", "concurrency", "no eligible agent", "capacity"]

    private let passSeconds = Metrics.shared.histogram("wl_dispatcher_pass_seconds", help: "Duration of one scheduling pass")

    func recordPass(_ outcome: PassOutcome, since start: ContinuousClock.Instant) {
        passSeconds.observe(since: start)
        var counts: [String: Int] = [:]
        for tenant in outcome.dispatched { counts[tenant, default: 0] += 1 }
        for (tenant, count) in counts {
            Metrics.shared.counter("wl_dispatcher_dispatched_total", help: "Attempts dispatched", labels: ["tenant": tenant]).increment(by: count)
        }
    }

    func refresh(_ statuses: [TenantQueueStatus], agents: [String: Int]) {
        for status in statuses {
            let labels = ["tenant": status.tenant]
            Metrics.shared.gauge("wl_dispatcher_tenant_running", help: "Tasks dispatched and not finished", labels: labels)
                .set(Double(status.running))
            Metrics.shared.gauge("wl_dispatcher_tenant_queued", help: "Tasks waiting in the tenant's queue", labels: labels)
                .set(Double(status.queued))
            let kind = status.throttleReason.flatMap { reason in Self.reasonKinds.first { reason.hasPrefix($0) } }
            for candidate in Self.reasonKinds {
                Metrics.shared.gauge("wl_dispatcher_tenant_throttled", help: "1 when the tenant's queue is held back, by reason kind",
                                     labels: ["tenant": status.tenant, "reason": candidate]).set(candidate == kind ? 1 : 0)
            }
        }
        for state in ["live", "draining", "lost"] {
            Metrics.shared.gauge("wl_dispatcher_agents", help: "Agents by state", labels: ["state": state]).set(Double(agents[state] ?? 0))
        }
    }
}

/// Refreshes the gauges of `DispatcherMetrics` every few seconds.
struct MetricsRefresher: Service {
    let name = "metrics-refresher"
    let context: ServiceContext
    let metrics: DispatcherMetrics
    let agentTimeout: Duration

    func run() async throws {
        while !Task.isCancelled {
            do {
                let timeout = agentTimeout.inSeconds
                let (statuses, agents) = try await context.database.withConnection { connection in
                    let statuses = try TenantQueueStatus.load(connection, tenant: nil)
                    var agents: [String: Int] = [:]
                    for row in try connection.query("""
                        SELECT \(AgentSQL.state) AS state, count(*)::int AS n FROM agent_liveness a GROUP BY 1
                        """, [timeout]) {
                        agents[try row.string("state")] = try row.int("n")
                    }
                    return (statuses, agents)
                }
                metrics.refresh(statuses, agents: agents)
            } catch {
                context.logger.warning("metrics refresh failed", [LogKey.error: "\(error)"])
            }
            await Task.pause(.seconds(5))
        }
    }
}
