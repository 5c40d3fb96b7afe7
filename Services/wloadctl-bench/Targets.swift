import Foundation

/// The targets for one 2-core machine, checked against a report. Reported, not
/// asserted: they describe the reference machine, and a smoke-sized run says nothing of them.
enum Targets {
    static let serviceRSSLimitMiB = 200.0

    static func check(_ report: BenchReport) -> [TargetCheck] {
        let services = report.peakRSSMiB.filter { $0.key != "dev-broker" }
        let biggest = services.max { $0.value < $1.value }
        return [
            at(least: 5_000, report.orchestration.tasksPerSecond, "orchestration throughput", unit: "tasks/s"),
            at(least: 30, report.orchestrationShareOfBaseline * 100, "orchestration share of the bare baseline", unit: "%"),
            at(least: 1_000, report.execution.tasksPerSecond, "execution throughput (/bin/true)", unit: "tasks/s"),
            at(most: 5, report.latency.readyToDispatchedMs.p99, "scheduling decision p99 (moderate load)", unit: "ms"),
            at(most: 50, report.latency.finishedToDownstreamDispatchedMs.p99, "finished → downstream dispatched p99", unit: "ms"),
            at(most: 1_000, report.noisyNeighbour.neighbourReadyToDispatchedMs.p99, "noisy neighbour: B's p99 wait", unit: "ms"),
            TargetCheck(name: "peak RSS of every service", target: "< \(Int(serviceRSSLimitMiB)) MiB",
                        measured: biggest.map { String(format: "%.0f MiB (%@)", $0.value, $0.key) } ?? "-",
                        met: services.values.allSatisfy { $0 < serviceRSSLimitMiB }),
        ]
    }

    private static func at(least target: Double, _ value: Double, _ name: String, unit: String) -> TargetCheck {
        TargetCheck(name: name, target: "≥ \(format(target)) \(unit)", measured: "\(format(value)) \(unit)", met: value >= target)
    }

    private static func at(most target: Double, _ value: Double, _ name: String, unit: String) -> TargetCheck {
        TargetCheck(name: name, target: "≤ \(format(target)) \(unit)", measured: "\(format(value)) \(unit)", met: value <= target)
    }

    static func format(_ value: Double) -> String {
        value >= 100 ? String(format: "%.0f", value) : String(format: "%.1f", value)
    }
}
