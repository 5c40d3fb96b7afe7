import Contracts
import Governance
import HTTP
import Runtime
import ServiceKit

/// dispatcher: the platform's governor. Ready tasks wait in their tenant's queue; scheduling
/// passes dispatch them under every limit at once (quotas, ceilings, peak windows, ramp-up,
/// slow-down, concurrency keys, weighted fair share, priorities) to the least-loaded eligible
/// agent, as signed orders on that agent's topic, each a numbered attempt holding a lease.
/// Agents that go silent lose their attempts, which the resolver retries per the task's policy.
enum Dispatcher {
    /// The bytes of readies one queueing transaction takes at most (about 1,300 tasks of ~200
    /// bytes): every task in a batch waits for the whole batch, so a neighbour's task that
    /// arrives with a flood's is queued within ~0.1 s, not the ~0.5 s a 1 MiB batch took under
    /// load. Throughput is unchanged; a batch's fixed cost is small next to 1,300 inserts.
    static let readyBatchBytes = 256 << 10

    @Sendable static func build(_ context: ServiceContext) async throws -> ServiceApp {
        let environment = context.environment
        let agentTimeout = try environment.seconds("WL_AGENT_TIMEOUT", default: 10)
        let acceptTimeout = try environment.seconds("WL_ACCEPT_TIMEOUT", default: 60)
        let interval = try environment.seconds("WL_SCHEDULE_INTERVAL", default: 0.1)
        guard let keyFile = environment.optional("WL_DISPATCH_SIGNING_KEY_FILE") else {
            throw DispatchSigning.KeyError(description: "WL_DISPATCH_SIGNING_KEY_FILE is not set: the dispatcher signs every order it sends")
        }
        let signer = try DispatchSigner(secretKeyFile: keyFile)
        let wake = WakeSignal()
        let queue = TaskQueue(logger: context.logger)
        let leases = LeaseBook()
        let registry = AgentRegistry(logger: context.logger)
        // Readies and agents' reports have a loop each, so a slot an agent frees is seen however
        // many readies wait to be queued: with one loop, a flood's readies (batches of thousands
        // of tasks, a few hundred milliseconds each to queue, and librdkafka's prefetch of them
        // ahead of the reports) held the reports back and no task was dispatched for up to 1.7 s
        // (docs/performance.md, item 44). Their order across the two topics does not matter: a
        // report changes only the attempt it names while that attempt is out (`LeaseBook`), and
        // a task is dispatched only after its ready was queued. Each batch of a kind is applied
        // in one statement, and the scheduler is woken once it has committed, so its pass sees
        // the new work. A ready batch takes at most `readyBatchBytes`: a task becomes visible to
        // passes only when its whole batch has committed.
        let backlog = Backlog()
        let intake = "dispatch"
        let work = try context.consumerLoop(intake, topics: [Topics.tasksReady], maxBatchBytes: Self.readyBatchBytes,
                                            deduplication: .byHandler) { (messages: [IncomingMessage], connection, outbox) in
            // The queue records the messages as processed itself, in the statement that queues them.
            guard try queue.enqueue(messages, recordingAs: intake, connection) > 0 else { return }
            outbox.onCommit {
                backlog.markWaiting()
                wake.notify()
            }
        }
        let reports = try context.consumerLoop("reports", topics: [Topics.tasksStatus]) { (messages: [IncomingMessage], connection, outbox) in
            if try leases.track(try messages.items(TaskStatus.self), connection) {
                outbox.onCommit { if backlog.mayHaveWaiting { wake.notify() } }
            }
        }
        // Heartbeats have a loop of their own, so however far behind a flood of work puts the
        // loop above, agents' liveness and the orders they hold stay current: a busy dispatcher
        // never takes its own backlog for silent agents.
        let heartbeats = try context.consumerLoop("agents", topics: [Topics.agentsHeartbeat], pace: .relaxed) { message, connection, outbox in
            guard message.header.type == AgentHeartbeat.type else { return }
            try registry.record(try message.decode(AgentHeartbeat.self), connection, outbox)
        }
        let metrics = DispatcherMetrics()
        let loader = SnapshotLoader(depth: QueueReadDepth(limit: try environment.int("WL_QUEUE_DEPTH", default: 200, range: 1...100_000)),
                                    maxDispatches: try environment.int("WL_PASS_MAX_DISPATCHES", default: 500, range: 1...100_000),
                                    agentTimeout: agentTimeout, logger: context.logger)
        let scheduler = Scheduler(context: context, loader: loader, writer: PlanWriter(signer: signer, logger: context.logger),
                                  wake: wake, backlog: backlog, interval: interval, metrics: metrics)
        let sweeper = LostAgentSweeper(context: context, agentTimeout: agentTimeout, acceptTimeout: acceptTimeout, wake: wake,
                                       heartbeats: heartbeats.consumer)
        let refresher = MetricsRefresher(context: context, metrics: metrics, agentTimeout: agentTimeout)
        return ServiceApp(router: routes(context, agentTimeout: agentTimeout, wake: wake), services: [refresher, sweeper, scheduler, heartbeats, work, reports])
    }

    static func routes(_ context: ServiceContext, agentTimeout: Duration, wake: WakeSignal) -> Router {
        let governance = GovernanceRoutes(context: context, agentTimeout: agentTimeout, wake: wake)
        let agents = AgentRoutes(context: context, agentTimeout: agentTimeout, wake: wake)
        var router = Router()
        router.get("/v1/queue", governance.queue)
        router.get("/v1/quotas", governance.quotas)
        router.put("/v1/quotas/:tenant", governance.setQuota)
        router.get("/v1/throttles", governance.throttles)
        router.put("/v1/throttles/global", governance.setThrottle)
        router.put("/v1/throttles/pools/:pool", governance.setThrottle)
        router.get("/v1/agents", agents.list)
        router.post("/v1/agents/:id/drain", agents.drain)
        router.post("/v1/agents/:id/undrain", agents.undrain)
        router.get("/v1/pools", agents.pools)
        router.put("/v1/pools/:name", agents.setPool)
        return router
    }
}
