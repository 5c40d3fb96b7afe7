import Foundation
import HTTP
import Runtime
import ServiceKit

/// trigger-service: stores versioned workflow definitions and turns triggers into run requests:
/// manual runs, schedules (ticked by one elected leader among the instances), backfills,
/// business calendars, signed webhooks and Kafka-topic events. It also administers tenants and
/// their API credentials.
enum TriggerService {
    @Sendable static func build(_ context: ServiceContext) async throws -> ServiceApp {
        let environment = context.environment
        let workflows = WorkflowRoutes(context: context)
        let runs = RunRoutes(context: context)
        let calendars = CalendarRoutes(context: context)
        let schedules = ScheduleRoutes(context: context)
        let tenants = TenantRoutes(context: context)
        let tokens = TokenRoutes(context: context)
        let tolerance = try environment.seconds("WL_WEBHOOK_TOLERANCE", default: 300).inSeconds
        // The staleness check is what stops a captured request from being held back and sent
        // later; a window of hours would make it meaningless.
        guard tolerance <= 3_600 else { throw ConfigError(key: "WL_WEBHOOK_TOLERANCE", problem: "must be at most 3600 seconds") }
        let webhooks = WebhookRoutes(context: context, tolerance: tolerance)
        var router = Router()
        router.post("/v1/workflows", workflows.apply)
        router.get("/v1/workflows", workflows.list)
        router.get("/v1/workflows/:name", workflows.show)
        router.get("/v1/workflows/:name/versions", workflows.history)
        router.post("/v1/workflows/:name/backfill", schedules.backfill)
        router.post("/v1/workflows/:name/webhooks", webhooks.create)
        router.post("/v1/runs", runs.start)
        router.post("/v1/runs/:id/cancel", runs.cancel)
        router.get("/v1/schedules", schedules.list)
        router.post("/v1/schedules/:workflow/:id/pause", schedules.pause)
        router.post("/v1/schedules/:workflow/:id/resume", schedules.resume)
        router.get("/v1/schedules/:workflow/:id/fires", schedules.fires)
        router.get("/v1/calendars", calendars.list)
        router.get("/v1/calendars/:name", calendars.show)
        router.put("/v1/calendars/:name", calendars.put)
        router.delete("/v1/calendars/:name", calendars.delete)
        router.get("/v1/webhooks", webhooks.list)
        router.delete("/v1/webhooks/:id", webhooks.delete)
        router.post("/v1/hooks/:id", webhooks.receive)
        router.post("/v1/tenants", tenants.create)
        router.get("/v1/tenants", tenants.list)
        router.get("/v1/tenants/:name", tenants.show)
        router.post("/v1/tenants/:name/tokens", tokens.create)
        router.get("/v1/tenants/:name/tokens", tokens.list)
        router.delete("/v1/tenants/:name/tokens/:token", tokens.revoke)
        router.get("/v1/whoami", tenants.whoami)
        let leader = SchedulerLeader(ticker: ScheduleTicker(context: context), database: context.database,
                                     instance: context.process.configuration.instanceID, logger: context.logger,
                                     tickInterval: try environment.seconds("WL_SCHEDULER_TICK", default: 0.5),
                                     campaignInterval: try environment.seconds("WL_SCHEDULER_CAMPAIGN", default: 1), now: { Date() })
        let events = EventTriggerConsumer(context: context, refreshInterval: try environment.seconds("WL_EVENT_TRIGGER_REFRESH", default: 5))
        return ServiceApp(router: router, services: [leader, events])
    }
}
