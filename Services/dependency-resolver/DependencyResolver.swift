import Contracts
import HTTP
import Postgres
import Runtime
import ServiceKit

/// dependency-resolver: owns runs and task instances. It creates a run from its request, applies
/// trigger rules, conditions and switches as tasks end, retries failed tasks, runs sub-workflows,
/// releases cross-workflow waits on `run.finished` events, and applies operators' controls. Every
/// change to a run arrives keyed by its run id, so each loop applies a run's messages of its
/// topic in order; changes from the two loops (or two instances) take turns on the run's row lock.
enum DependencyResolver {
    @Sendable static func build(_ context: ServiceContext) async throws -> ServiceApp {
        let window = ReadyWindow(limit: try context.environment.int("WL_RUN_READY_WINDOW", default: 500, range: 1...1_000_000))
        let engine = RunEngine(plans: PlanCache(), waits: WaitBook(logger: context.logger), window: window, logger: context.logger)
        // Runs' lifecycles (creation, cancels, controls, timers, waits) and task status reports
        // have a loop each, so a new run is created, and its first tasks readied, in a small
        // transaction of its own rather than inside a batch of other runs' reports (up to a
        // second of work under a flood: docs/performance.md, item 51). Their order across the
        // two topics never mattered (they are different partitions); both loops lock a run's
        // row before changing it, and each locks the runs of a batch in id order, so two
        // batches touching the same runs wait for each other instead of deadlocking.
        let lifecycles = try context.consumerLoop("engine", topics: [Topics.runsRequested, Topics.runsEvents]) {
            (messages: [IncomingMessage], connection, outbox) in
            try RunContext.lockInOrder(messages.filter { $0.raw.topic == Topics.runsRequested }.compactMap(\.raw.key), connection)
            for message in messages { try apply(message, engine: engine, context: context, connection, outbox) }
        }
        // Status reports were the lifecycle loop's until 2026-11: the loop starts where its
        // group left off rather than at the beginning of the topic's retention.
        let statuses = try context.consumerLoop("statuses", topics: [Topics.tasksStatus], takingOverFrom: "engine") {
            (messages: [IncomingMessage], connection, outbox) in
            try engine.applyStatuses(try messages.items(TaskStatus.self), connection, outbox)
        }
        let timers = RunTimerLoop(context: context, interval: try context.environment.seconds("WL_TIMER_INTERVAL", default: 0.25))
        let queries = RunQueryRoutes(context: context)
        let controls = RunControlRoutes(context: context, plans: engine.plans)
        var router = Router()
        router.get("/v1/runs/:id", queries.show)
        router.get("/v1/runs", queries.list)
        router.post("/v1/runs/:id/rerun", controls.rerun)
        router.post("/v1/runs/:id/pause", controls.pause)
        router.post("/v1/runs/:id/resume", controls.resume)
        router.post("/v1/runs/:id/tasks/:task/mark", controls.mark)
        router.get("/v1/runs/:id/impact", controls.impact)
        return ServiceApp(router: router, services: [timers, lifecycles, statuses])
    }

    /// Applies one message of a run's lifecycle (status reports have their own loop, above).
    private static func apply(_ message: IncomingMessage, engine: RunEngine, context: ServiceContext,
                              _ connection: PostgresConnection, _ outbox: Outbox) throws {
        switch message.header.type {
        case RunRequested.type: try engine.createRun(try message.decode(RunRequested.self), connection, outbox)
        case RunCancelRequested.type: try engine.cancelRun(try message.decode(RunCancelRequested.self), connection, outbox)
        case RunControl.type: try engine.control(try message.decode(RunControl.self), connection, outbox)
        case RunTimerFired.type: try engine.timerFired(try message.decode(RunTimerFired.self), connection, outbox)
        case DependencyMet.type: try engine.dependencyMet(try message.decode(DependencyMet.self), connection, outbox)
        case RunFinished.type: try engine.waits.runFinished(try message.decode(RunFinished.self), connection, outbox)
        default: context.logger.debug("ignoring message", [LogKey.messageType: message.header.type])
        }
    }
}
