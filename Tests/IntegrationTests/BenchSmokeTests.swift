import Foundation
import LocalStack
import Testing

extension Integration {
    /// `make bench` at the smoke size CI runs (`BENCH_TASKS=2000`): every scenario completes and
    /// every task succeeds exactly once. Timings are never asserted; they belong to `make bench`.
    @Suite struct BenchSmokeTests {
        private struct Report: Decodable {
            struct Verification: Decodable {
                let runs: Int
                let runsSucceeded: Int
                let tasks: Int
                let tasksSucceeded: Int
                let tasksRetried: Int
            }
            struct Throughput: Decodable {
                let tasks: Int
                let verification: Verification
                let kafkaMessages: Int
                let rowsWritten: Int
            }
            struct Latency: Decodable {
                let verification: Verification
                let triggerToFirstStartedMs: Samples
                let finishedToDownstreamDispatchedMs: Samples
            }
            struct Neighbour: Decodable {
                let verification: Verification
                let neighbourReadyToDispatchedMs: Samples
                let neighbourQueuedToDispatchedMs: Samples
            }
            struct Samples: Decodable {
                let count: Int
            }
            struct Baseline: Decodable {
                let messages: Int
                let messagesConsumed: Int
            }
            let orchestration: Throughput
            let execution: Throughput
            let latency: Latency
            let noisyNeighbour: Neighbour
            let baseline: Baseline
            let peakRSSMiB: [String: Double]
        }

        @Test func smokeSizedBenchmarkCompletesWithEveryTaskSucceeded() throws {
            let repository = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
            let bin = StackConfiguration.binDirectory(repository: repository, preferRelease: false)
            let output = repository.appendingPathComponent(".wloadctl/test-bench")
            try? FileManager.default.removeItem(at: output)
            var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("BENCH_") }
            environment["WL_BIN_DIR"] = bin.path
            environment["BENCH_TASKS"] = "2000"
            environment["BENCH_OUTPUT"] = output.path
            let log = try ProcessRunner.run([bin.appendingPathComponent("wloadctl-bench").path], environment: environment)
            #expect(log.contains("Targets"), "the table was printed")

            let files = try FileManager.default.contentsOfDirectory(atPath: output.path).filter { $0.hasSuffix(".json") }
            try #require(files.count == 1, "one JSON result in \(output.path): \(files)")
            let report = try JSONDecoder().decode(Report.self, from: Data(contentsOf: output.appendingPathComponent(files[0])))
            for (name, check) in [("orchestration", report.orchestration.verification), ("execution", report.execution.verification),
                                  ("latency", report.latency.verification), ("noisy neighbour", report.noisyNeighbour.verification)] {
                #expect(check.runs > 0 && check.runsSucceeded == check.runs, "\(name): every run succeeded")
                #expect(check.tasks > 0 && check.tasksSucceeded == check.tasks, "\(name): every task succeeded")
                #expect(check.tasksRetried == 0, "\(name): no task ran twice")
            }
            #expect(report.orchestration.tasks == 2_000)
            // Messages travel in groups, but every run takes at least its request, a ready and a
            // status report through the broker.
            #expect(report.orchestration.kafkaMessages >= 3 * report.orchestration.verification.runs, "messages were counted")
            #expect(report.orchestration.rowsWritten > report.orchestration.tasks, "rows were counted")
            #expect(report.latency.triggerToFirstStartedMs.count == 40)
            #expect(report.latency.finishedToDownstreamDispatchedMs.count == 40 * 4)
            #expect(report.noisyNeighbour.neighbourReadyToDispatchedMs.count == 100)
            #expect(report.noisyNeighbour.neighbourQueuedToDispatchedMs.count == 100)
            #expect(report.baseline.messagesConsumed == report.baseline.messages)
            #expect(report.peakRSSMiB["dispatcher", default: 0] > 0, "memory was read")
            try? FileManager.default.removeItem(at: output)
        }
    }
}
