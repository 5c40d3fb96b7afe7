import Foundation

/// The report as the table `make bench` prints.
enum ReportTable {
    static func render(_ report: BenchReport) -> String {
        var lines = ["", "WLOADCTL benchmark \(report.startedAt) — \(report.host.cpus) CPUs, "
            + String(format: "%.1f GiB", report.host.memoryGiB) + ", Linux \(report.host.kernel)", ""]
        lines += section("Throughput", [
            row("orchestration (simulated agents)", throughput(report.orchestration)),
            row("execution (/bin/true)", throughput(report.execution)),
            row("bare baseline (Kafka + Postgres)", String(format: "%.0f tasks/s (%.1f s: Kafka %.1f s, Postgres %.1f s)",
                                                            report.baselineTasksPerSecond, report.baseline.wallSeconds,
                                                            report.baseline.kafkaSeconds, report.baseline.postgresSeconds)),
            row("orchestration / baseline", String(format: "%.1f%%", report.orchestrationShareOfBaseline * 100)),
        ])
        lines += section("Latency at moderate load (\(report.latency.runs) chains, \(Int(report.latency.runsPerSecond)) runs/s) p50 / p95 / p99 / max", [
            row("trigger → first task started", percentiles(report.latency.triggerToFirstStartedMs)),
            row("ready → dispatched (decision)", percentiles(report.latency.readyToDispatchedMs)),
            row("finished → downstream dispatched", percentiles(report.latency.finishedToDownstreamDispatchedMs)),
            row("ready → dispatched, orchestration", percentiles(report.orchestration.decisionMs)),
        ])
        lines += section("Noisy neighbour", [
            row("A's flood", String(format: "%d tasks in %.1f s", report.noisyNeighbour.floodTasks, report.noisyNeighbour.floodSeconds)),
            row("B ready → dispatched", percentiles(report.noisyNeighbour.neighbourReadyToDispatchedMs)),
            row("B queued → dispatched", percentiles(report.noisyNeighbour.neighbourQueuedToDispatchedMs)),
            row("A queued → dispatched", percentiles(report.noisyNeighbour.floodQueuedToDispatchedMs)),
        ])
        let orchestration = report.orchestration
        var resources = [
            row("Postgres rows written per task", String(format: "%.1f", orchestration.rowsPerTask)),
            row("Kafka messages per task", String(format: "%.1f", orchestration.messagesPerTask)),
            row("worst consumer lag", String(format: "%.0f messages %@", orchestration.worstConsumerLag,
                                             orchestration.worstConsumerLagWhere)),
            row("postgres CPU", String(format: "%.1f s", orchestration.postgresCPUSeconds)),
        ]
        for (name, cpu) in orchestration.cpuSeconds.sorted(by: { $0.key < $1.key }) {
            resources.append(row(name, String(format: "%.1f CPU s, peak RSS %.0f MiB", cpu, report.peakRSSMiB[name] ?? 0)))
        }
        lines += section("Resources during orchestration (\(orchestration.tasks) tasks)", resources)
        lines += section("Targets", report.targets.map { target in
            row(target.name, "\(target.met ? "met" : "NOT MET"): \(target.measured) (target \(target.target))")
        })
        return lines.joined(separator: "\n")
    }

    private static func throughput(_ result: ThroughputResult) -> String {
        String(format: "%.0f tasks/s (%d tasks in %.1f s)%@", result.tasksPerSecond, result.tasks, result.seconds,
               result.verification.allSucceeded ? "" : " — NOT ALL SUCCEEDED")
    }

    private static func percentiles(_ value: Percentiles) -> String {
        String(format: "%.1f / %.1f / %.1f / %.1f ms (%d samples)", value.p50, value.p95, value.p99, value.max, value.count)
    }

    private static func section(_ title: String, _ rows: [String]) -> [String] {
        [title] + rows + [""]
    }

    private static func row(_ label: String, _ value: String) -> String {
        "  " + label.padding(toLength: 42, withPad: " ", startingAt: 0) + value
    }
}
