import Contracts
import Foundation
import Kafka

/// The scenarios, each on the running stack through the public API, each verified: every run and
/// task must succeed exactly once, or the benchmark fails whatever its numbers.
struct Scenarios: Sendable {
    let settings: BenchSettings
    let stack: BenchStack
    let api: BenchAPI
    let probe: RunProbe
    let sampler: Sampler
    let producer: KafkaProducer

    static let wideSimulated = "bench-wide-sim"
    static let wideExecuted = "bench-wide-exec"
    static let chain = "bench-chain"
    static let flood = "bench-flood"
    static let neighbour = "bench-neighbour"
    static let chainLength = 5
    static let noop = "/bin/true"

    /// Flood runs: as few as the per-run limit allows, all the same size.
    var floodRuns: Int { (settings.floodTasks + BenchSettings.maxTasksPerRun - 1) / BenchSettings.maxTasksPerRun }
    var floodPerRun: Int { (settings.floodTasks + floodRuns - 1) / floodRuns }

    /// Workflows for every tenant, and the platform throttle for a single shared host: the
    /// load-based slow-down is set out of reach, because on one machine the load average counts
    /// Postgres, the broker and the services, not how busy the agents are; the ramp-up after a
    /// restart is off, because the stack was just started and the targets are for sustained
    /// throughput (the slot-based slow-down stays as it is).
    func setUp() async throws {
        try await api.setGlobalThrottle("{\"slowDownLoad\": 1000, \"rampUpSeconds\": 0}")
        let simulated = Workflows.wide(name: Self.wideSimulated, tasks: settings.tasksPerRun(total: settings.tasks),
                                       pool: BenchStack.simulatedPool, command: Self.noop)
        let executed = Workflows.wide(name: Self.wideExecuted, tasks: settings.tasksPerRun(total: settings.executionTasks),
                                      pool: BenchStack.executingPool, command: Self.noop)
        for tenant in settings.tenantNames {
            try await api.applyWorkflow(tenant: tenant, definition: simulated)
            try await api.applyWorkflow(tenant: tenant, definition: executed)
        }
        try await api.applyWorkflow(tenant: settings.tenantNames[0],
                                    definition: Workflows.chain(name: Self.chain, length: Self.chainLength,
                                                                pool: BenchStack.simulatedPool, command: Self.noop))
        try await api.applyWorkflow(tenant: BenchSettings.floodTenant,
                                    definition: Workflows.independent(name: Self.flood, tasks: floodPerRun,
                                                                      pool: BenchStack.simulatedPool, command: Self.noop))
        try await api.applyWorkflow(tenant: BenchSettings.neighbourTenant,
                                    definition: Workflows.independent(name: Self.neighbour, tasks: settings.neighbourTasks,
                                                                      pool: BenchStack.simulatedPool, command: Self.noop))
    }

    /// `settings.runs` runs of `workflow` spread round-robin over the tenants, all started at
    /// once; throughput is tasks over the time from the first start request to the last run's end.
    func throughput(_ label: String, workflow: String, totalTasks: Int) async throws -> ThroughputResult {
        let perRun = settings.tasksPerRun(total: totalTasks)
        let tasks = perRun * settings.runs
        let before = try await Counters.read(stack: stack, probe: probe, producer: producer)
        _ = sampler.takeWorstLag()
        let started = Date()
        let tenants = settings.tenantNames
        let runs = try await start((0..<settings.runs).map { (tenants[$0 % tenants.count], workflow) })
        let finished = try await probe.waitForRuns(runs.map(\.id), tasks: tasks, label: label, timeout: settings.scenarioTimeout)
        let seconds = max(0.001, finished.timeIntervalSince(started))
        let costs = try await Counters.read(stack: stack, probe: probe, producer: producer).since(before)
        let lag = sampler.takeWorstLag()
        let ids = runs.map(\.id)
        return ThroughputResult(
            tasks: tasks, runs: runs.count, tenants: tenants.count, seconds: seconds, tasksPerSecond: Double(tasks) / seconds,
            verification: try await probe.verify(ids, tasks: tasks), decisionMs: try await probe.decisionLatency(ids),
            cpuSeconds: costs.cpuSeconds, postgresCPUSeconds: costs.postgresCPUSeconds, rowsWritten: costs.rowsWritten,
            rowsPerTask: Double(costs.rowsWritten) / Double(tasks), kafkaMessages: costs.kafkaMessages,
            messagesPerTask: Double(costs.kafkaMessages) / Double(tasks), worstConsumerLag: lag.messages,
            worstConsumerLagWhere: lag.series)
    }

    /// Chains started at a steady, moderate rate: the latencies a user sees when the platform
    /// is not saturated.
    func latency() async throws -> LatencyResult {
        var runs: [(id: UUID, requestedAt: Date)] = []
        let interval = Duration.seconds(1.0 / settings.latencyRate)
        let tenant = settings.tenantNames[0]
        for _ in 0..<settings.latencyRuns {
            let requestedAt = Date()
            runs.append((try await api.startRun(tenant: tenant, workflow: Self.chain), requestedAt))
            try await Task.sleep(for: interval)
        }
        let ids = runs.map(\.id)
        let tasks = ids.count * Self.chainLength
        _ = try await probe.waitForRuns(ids, tasks: tasks, label: "latency", timeout: settings.scenarioTimeout)
        let firstStarted = try await probe.firstStarted(ids)
        let triggerToStart = runs.compactMap { run in firstStarted[run.id].map { $0.timeIntervalSince(run.requestedAt) * 1_000 } }
        return LatencyResult(runs: ids.count, tasksPerRun: Self.chainLength, runsPerSecond: settings.latencyRate,
                             verification: try await probe.verify(ids, tasks: tasks),
                             triggerToFirstStartedMs: Percentiles(samples: triggerToStart),
                             readyToDispatchedMs: try await probe.decisionLatency(ids),
                             finishedToDownstreamDispatchedMs: try await probe.downstreamLatency(ids))
    }

    /// Tenant A queues its whole flood; once A's tasks are flowing, tenant B submits its tasks.
    /// B's wait is taken from ready (its run created) and from queued: fair sharing bounds the
    /// second; the first also holds the way into the queue, behind A's readies.
    func noisyNeighbour() async throws -> NeighbourResult {
        let flood = floodRuns * floodPerRun
        let started = Date()
        let floodRuns = try await start(Array(repeating: (BenchSettings.floodTenant, Self.flood), count: floodRuns)).map(\.id)
        while try await probe.progress(floodRuns).tasksEnded < min(flood / 10, 5_000) {
            try await Task.sleep(for: .milliseconds(100))
        }
        let neighbour = [try await api.startRun(tenant: BenchSettings.neighbourTenant, workflow: Self.neighbour)]
        let finished = try await probe.waitForRuns(floodRuns + neighbour, tasks: flood + settings.neighbourTasks, label: "noisy neighbour",
                                                   timeout: settings.scenarioTimeout)
        let floodCheck = try await probe.verify(floodRuns, tasks: flood)
        let neighbourCheck = try await probe.verify(neighbour, tasks: settings.neighbourTasks)
        let both = RunProbe.Verification(runs: floodCheck.runs + neighbourCheck.runs,
                                         runsSucceeded: floodCheck.runsSucceeded + neighbourCheck.runsSucceeded,
                                         tasks: flood + settings.neighbourTasks,
                                         tasksSucceeded: floodCheck.tasksSucceeded + neighbourCheck.tasksSucceeded,
                                         tasksRetried: floodCheck.tasksRetried + neighbourCheck.tasksRetried)
        return NeighbourResult(floodTasks: flood, floodSeconds: finished.timeIntervalSince(started), neighbourTasks: settings.neighbourTasks,
                               verification: both, neighbourReadyToDispatchedMs: try await probe.readyLatency(neighbour),
                               neighbourQueuedToDispatchedMs: try await probe.decisionLatency(neighbour),
                               floodQueuedToDispatchedMs: try await probe.decisionLatency(floodRuns))
    }

    /// Starts runs, eight requests at a time; returns them in request order.
    private func start(_ requests: [(tenant: String, workflow: String)]) async throws -> [(id: UUID, index: Int)] {
        let api = api
        return try await withThrowingTaskGroup(of: (UUID, Int).self) { group in
            var results: [(id: UUID, index: Int)] = []
            for (index, request) in requests.enumerated() {
                if index >= 8, let done = try await group.next() { results.append(done) }
                group.addTask { (try await api.startRun(tenant: request.tenant, workflow: request.workflow), index) }
            }
            for try await done in group { results.append(done) }
            return results.sorted { $0.index < $1.index }
        }
    }
}
