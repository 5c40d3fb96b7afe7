import Foundation
import Kafka
import LocalStack
import Postgres
import Runtime

/// `make bench`: starts a stack of release binaries with its own Postgres and dev broker, runs
/// the scenarios through the public API (orchestration with simulate-mode agents, execution
/// with `/bin/true`, latency at moderate load, a noisy neighbour), measures the bare pipeline
/// (plain Kafka and Postgres) in the same run, prints a table and writes the same numbers to
/// `<BENCH_OUTPUT>/<timestamp>.json`. Exits 0 when every scenario completed and every task
/// succeeded exactly once; the targets are reported, never asserted (numbers depend on the
/// machine). Sizes: see `BenchSettings`; method and results: docs/performance.md.
enum Benchmark {
    static func main(environment: [String: String]) async -> Int32 {
        let repository = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
        let settings: BenchSettings
        do { settings = try BenchSettings(environment: environment, repository: repository) } catch {
            Console.line("wloadctl-bench: \(error)")
            return 2
        }
        guard StackConfiguration.holdsServices(settings.binDirectory) else {
            Console.line("wloadctl-bench: \(settings.binDirectory.path) does not hold the services; run `make release` or set WL_BIN_DIR")
            return 2
        }
        let stack: BenchStack
        do { stack = try BenchStack(settings: settings) } catch {
            Console.line("wloadctl-bench: \(error)")
            return 2
        }
        Console.line("benchmark stack: \(settings.binDirectory.path), \(stack.stack.configuration.root.path)")
        var status: Int32 = 1
        do {
            try await stack.up { Console.line("  \($0)") }
            let report = try await run(settings: settings, stack: stack)
            let file = try write(report, to: settings.output)
            Console.line(ReportTable.render(report))
            Console.line("results: \(file.path)")
            status = report.allSucceeded ? 0 : 1
            if !report.allSucceeded { Console.line("FAILED: not every task succeeded exactly once (see verification in the JSON)") }
        } catch {
            Console.line("wloadctl-bench failed: \(error)")
            for name in ["dependency-resolver", "dispatcher", "trigger-service"] {
                Console.line("--- \(name) log tail ---\n" + stack.stack.logTail(name, lines: 15))
            }
        }
        await stack.down()
        return status
    }

    private static func run(settings: BenchSettings, stack: BenchStack) async throws -> BenchReport {
        let startedAt = Date()
        let logger = Logger(label: "wloadctl-bench", level: .warning, sink: .standardError)
        let database = PostgresClient(configuration: PostgresConfiguration(connectionString: stack.databaseURL, poolSize: 2,
                                                                           applicationName: "wloadctl-bench"), logger: logger)
        let kafka = KafkaConfiguration(bootstrapServers: stack.kafkaBootstrap)
        let producer = try KafkaProducer(configuration: kafka, logger: logger)
        let sampler = Sampler()
        let sampling = Task { await sampler.run(processes: { stack.processes }, endpoints: stack.serviceEndpoints) }
        defer { sampler.stop() }
        let scenarios = Scenarios(settings: settings, stack: stack, api: try stack.api(), probe: RunProbe(database: database),
                                  sampler: sampler, producer: producer)
        try await scenarios.setUp()

        Console.line("1/5 orchestration: \(settings.tasks) no-op tasks, \(settings.runs) runs, \(settings.tenants) tenants, simulated agents")
        let orchestration = try await scenarios.throughput("orchestration", workflow: Scenarios.wideSimulated, totalTasks: settings.tasks)
        Console.line(String(format: "  %.0f tasks/s", orchestration.tasksPerSecond))
        Console.line("2/5 execution: \(settings.executionTasks) /bin/true tasks on real agents")
        let execution = try await scenarios.throughput("execution", workflow: Scenarios.wideExecuted, totalTasks: settings.executionTasks)
        Console.line(String(format: "  %.0f tasks/s", execution.tasksPerSecond))
        Console.line("3/5 latency: \(settings.latencyRuns) chains of \(Scenarios.chainLength) at \(Int(settings.latencyRate)) runs/s")
        let latency = try await scenarios.latency()
        Console.line("4/5 noisy neighbour: A floods \(settings.floodTasks) tasks, B submits \(settings.neighbourTasks)")
        let neighbour = try await scenarios.noisyNeighbour()
        Console.line("5/5 bare baseline: \(orchestration.kafkaMessages) messages and \(orchestration.rowsWritten) rows")
        let baseline = try await Baseline(kafka: kafka, database: database, logger: logger)
            .run(messages: Int(orchestration.kafkaMessages), rows: Int(orchestration.rowsWritten))
        sampler.stop()
        await sampling.value
        await database.close()

        var peak = sampler.peakRSS
        for process in stack.processes {
            if let usage = ProcessUsage.read(process.pid) { peak[process.name] = max(peak[process.name] ?? 0, usage.peakRSSBytes) }
        }
        let baselineRate = Double(orchestration.tasks) / max(0.001, baseline.wallSeconds)
        var report = BenchReport(
            startedAt: Timestamp.format(startedAt), finishedAt: Timestamp.format(Date()), host: host(), settings: settings,
            orchestration: orchestration, execution: execution, latency: latency, noisyNeighbour: neighbour, baseline: baseline,
            baselineTasksPerSecond: baselineRate, orchestrationShareOfBaseline: orchestration.tasksPerSecond / baselineRate,
            peakRSSMiB: peak.mapValues { Double($0) / 1_048_576 }, targets: [])
        report.targets = Targets.check(report)
        return report
    }

    private static func write(_ report: BenchReport, to directory: URL) throws -> URL {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let stamp = Timestamp.format(Date()).replacingOccurrences(of: ":", with: "")
        let file = directory.appendingPathComponent("\(stamp).json")
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        try encoder.encode(report).write(to: file)
        return file
    }

    private static func host() -> BenchReport.Host {
        var names = utsname()
        let kernel = uname(&names) == 0 ? withUnsafeBytes(of: names.release) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) } : ""
        return BenchReport.Host(cpus: ProcessInfo.processInfo.activeProcessorCount,
                                memoryGiB: Double(ProcessInfo.processInfo.physicalMemory) / 1_073_741_824, kernel: kernel)
    }
}
