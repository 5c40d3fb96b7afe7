import HTTP
import Runtime
import ServiceKit

/// trigger-service: stores versioned workflow definitions and turns triggers into run requests.
/// Manual runs come through its HTTP API; schedules and event triggers join in later issues.
enum TriggerService {
    @Sendable static func build(_ context: ServiceContext) async throws -> ServiceApp {
        let workflows = WorkflowRoutes(context: context)
        let runs = RunRoutes(context: context)
        var router = Router()
        router.post("/v1/workflows", workflows.apply)
        router.get("/v1/workflows", workflows.list)
        router.get("/v1/workflows/:name", workflows.show)
        router.post("/v1/runs", runs.start)
        return ServiceApp(router: router, services: [])
    }
}
