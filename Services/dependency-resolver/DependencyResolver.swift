import Contracts
import HTTP
import Runtime
import ServiceKit

/// dependency-resolver: owns runs and task instances. It creates a run from its request, marks
/// tasks ready when their upstream succeeded, applies attempt status reports (fenced by attempt
/// number) and finishes the run. One consumer group reads both input topics; both are keyed by
/// run id, so one run's messages reach one instance in order.
enum DependencyResolver {
    @Sendable static func build(_ context: ServiceContext) async throws -> ServiceApp {
        let engine = RunEngine(plans: PlanCache(), logger: context.logger)
        let loop = try context.consumerLoop("engine", topics: [Topics.runsRequested, Topics.tasksStatus]) { message, connection, outbox in
            switch message.header.type {
            case RunRequested.type:
                try engine.createRun(try message.decode(RunRequested.self), connection, outbox)
            case RunCancelRequested.type:
                try engine.cancelRun(try message.decode(RunCancelRequested.self), connection, outbox)
            case TaskStatus.type:
                try engine.applyStatus(try message.decode(TaskStatus.self), connection, outbox)
            default:
                context.logger.debug("ignoring message", [LogKey.messageType: message.header.type])
            }
        }
        let routes = RunQueryRoutes(context: context)
        var router = Router()
        router.get("/v1/runs/:id", routes.show)
        router.get("/v1/runs", routes.list)
        return ServiceApp(router: router, services: [loop])
    }
}
