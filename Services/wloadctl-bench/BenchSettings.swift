import Foundation

/// The benchmark's sizes and layout, from `BENCH_*` variables. Every scenario size is a parameter;
/// the defaults are the (200,000 orchestration tasks, a 100,000-task flood), and the
/// smaller scenarios scale with `BENCH_TASKS` so `BENCH_TASKS=2000` is a sub-minute smoke run.
struct BenchSettings: Codable, Sendable {
    /// Orchestration scenario: no-op tasks over `runs` wide DAGs in `tenants` tenants.
    var tasks: Int
    var runs: Int
    var tenants: Int
    /// Execution scenario: the same shape with `/bin/true` on real agents.
    var executionTasks: Int
    /// Latency scenario: runs of a five-task chain, started at `latencyRate` runs a second.
    var latencyRuns: Int
    var latencyRate: Double
    /// Noisy neighbour: tenant A's flood and tenant B's tasks submitted during it.
    var floodTasks: Int
    var neighbourTasks: Int
    /// Agents: simulate-mode agents for orchestration, real ones for execution. A slot is held
    /// for a task's whole cycle (dispatched, started, reported, the slot freed), tens of
    /// milliseconds even on an idle machine, while `/bin/true` itself takes ~2 ms: by Little's
    /// law 1,000 tasks/s keeps 50–100 slots busy, so the two executing agents get 128 each. With
    /// 32 each (64 in all) the scenario measured ~640 tasks/s: every pass and batch carried a
    /// handful of tasks, and their fixed costs made a task cost ~2.9 ms of CPU instead of ~1.6
    /// (docs/performance.md, item 59).
    var simulatedAgents: Int
    var simulatedSlots: Int
    var executingAgents: Int
    var executingSlots: Int
    /// Partitions of every topic of the dev broker: by default one per 1,600 tasks, at least 32
    /// and at most 256 (32 up to 51,200 tasks, 125 at the default 200,000). The broker keeps at
    /// most 5 MiB a partition and drops the oldest past that, and messages are keyed by run, so
    /// big runs need their runs spread thinly for a consumer that falls behind to lose nothing;
    /// small sizes keep fewer, because every partition costs each consumer fetch work (measured:
    /// 128 instead of 32 at 20,000 tasks cost ~15% orchestration and ~35% execution throughput).
    var brokerPartitions: Int
    /// The longest any one scenario may take before the benchmark gives up on it.
    var scenarioTimeout: Duration
    /// Where results go (`<output>/<timestamp>.json`) and where the stack lives (`<output>/stack`).
    var output: URL
    var binDirectory: URL
    var logLevel: String
    /// `BENCH_KAFKA_PROPERTIES`: librdkafka properties for every service and agent, passed on as
    /// `WL_KAFKA_PROPERTIES` (`key=value;key=value`), to measure a tuning before making it a default.
    var kafkaProperties: String?

    /// The biggest run a definition may hold, so the flood is split into runs of this size.
    static let maxTasksPerRun = 10_000

    struct Invalid: Error, CustomStringConvertible {
        let description: String
    }

    init(environment: [String: String], repository: URL) throws {
        // `make bench` exports every BENCH_* variable, set or not: empty means unset.
        func text(_ key: String) -> String? { environment[key].flatMap { $0.isEmpty ? nil : $0 } }
        func int(_ key: String, _ fallback: Int, _ range: ClosedRange<Int>) throws -> Int {
            guard let text = environment[key], !text.isEmpty else { return fallback }
            guard let value = Int(text.replacingOccurrences(of: "_", with: "")), range.contains(value) else {
                throw Invalid(description: "\(key) must be a whole number in \(range.lowerBound)...\(range.upperBound), got '\(text)'")
            }
            return value
        }
        tasks = try int("BENCH_TASKS", 200_000, 300...10_000_000)
        runs = try int("BENCH_RUNS", 100, 1...10_000)
        guard tasks / runs >= 3, tasks / runs <= Self.maxTasksPerRun else {
            throw Invalid(description: "BENCH_TASKS / BENCH_RUNS must give 3...\(Self.maxTasksPerRun) tasks a run, got \(tasks / runs)")
        }
        tenants = try int("BENCH_TENANTS", 10, 1...runs)
        executionTasks = try int("BENCH_EXEC_TASKS", max(tasks / 10, runs * 3), (runs * 3)...(runs * Self.maxTasksPerRun))
        latencyRuns = try int("BENCH_LATENCY_RUNS", min(200, max(20, tasks / 50)), 1...100_000)
        latencyRate = Double(try int("BENCH_LATENCY_RATE", 20, 1...1_000))
        floodTasks = try int("BENCH_FLOOD_TASKS", min(100_000, max(1_000, tasks / 2)), 1...10_000_000)
        neighbourTasks = try int("BENCH_NEIGHBOUR_TASKS", 100, 1...Self.maxTasksPerRun)
        simulatedAgents = try int("BENCH_SIM_AGENTS", 2, 1...64)
        simulatedSlots = try int("BENCH_SIM_SLOTS", 2_000, 1...4_096)
        executingAgents = try int("BENCH_EXEC_AGENTS", 2, 1...64)
        executingSlots = try int("BENCH_EXEC_SLOTS", 128, 1...4_096)
        brokerPartitions = try int("BENCH_PARTITIONS", min(256, max(32, tasks / 1_600)), 1...256)
        scenarioTimeout = .seconds(try int("BENCH_TIMEOUT", 1_800, 10...86_400))
        output = URL(fileURLWithPath: text("BENCH_OUTPUT") ?? ".wloadctl/bench", relativeTo: repository).standardizedFileURL
        binDirectory = URL(fileURLWithPath: text("WL_BIN_DIR") ?? ".build/release", relativeTo: repository).standardizedFileURL
        logLevel = text("BENCH_LOG_LEVEL") ?? "info"
        kafkaProperties = text("BENCH_KAFKA_PROPERTIES")
    }

    /// Tasks in each orchestration (or execution) run: `total / runs`, at least 3.
    func tasksPerRun(total: Int) -> Int { max(3, total / runs) }

    /// The tenants the scenarios act for: `bench-01`…, then `bench-a` (the flood) and `bench-b`.
    var tenantNames: [String] { (1...tenants).map { String(format: "bench-%02d", $0) } }
    static let floodTenant = "bench-a"
    static let neighbourTenant = "bench-b"
}
