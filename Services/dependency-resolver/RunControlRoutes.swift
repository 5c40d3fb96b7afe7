import Contracts
import Foundation
import HTTP
import Postgres
import ServiceKit

/// Operators' run controls (`POST /v1/runs/:id/rerun|pause|resume`, `POST
/// /v1/runs/:id/tasks/:task/mark`) and impact analysis (`GET /v1/runs/:id/impact?task=`).
/// A control is checked against the run's current state (409 when it cannot apply), then
/// published on the run's own stream, where the engine applies it in order with everything
/// else; the response is 202.
struct RunControlRoutes: Sendable {
    let context: ServiceContext
    let plans: PlanCache

    struct RerunRequest: Codable, Sendable {
        let mode: String?
        let task: String?
    }

    struct MarkRequest: Codable, Sendable {
        let state: String
    }

    @Sendable func rerun(_ request: HTTPRequest) async throws -> HTTPResponse {
        let body = request.body.isEmpty ? RerunRequest(mode: nil, task: nil)
            : try request.decodeStrict(RerunRequest.self, allowed: ["mode", "task"])
        let action: RunControl.Action
        switch body.mode ?? "all" {
        case "all": action = .rerunAll
        case "failed": action = .rerunFailed
        case "from": action = .rerunFrom
        case let other: throw HTTPError.badRequest("mode must be all, failed or from, not '\(other)'")
        }
        if action == .rerunFrom, body.task == nil { throw HTTPError.badRequest("mode 'from' needs a task") }
        return try await submit(request, action: action, task: body.task) { run, _ in
            guard RunState(rawValue: run.state)?.isTerminal == true else {
                throw HTTPError.conflict("run is \(run.state); only a finished run can be rerun (cancel it first)")
            }
        }
    }

    @Sendable func pause(_ request: HTTPRequest) async throws -> HTTPResponse {
        try await submit(request, action: .pause, task: nil) { run, _ in
            guard run.state == RunState.running.rawValue else { throw HTTPError.conflict("run is \(run.state), not running") }
        }
    }

    @Sendable func resume(_ request: HTTPRequest) async throws -> HTTPResponse {
        try await submit(request, action: .resume, task: nil) { run, _ in
            guard run.state == RunState.paused.rawValue else { throw HTTPError.conflict("run is \(run.state), not paused") }
        }
    }

    @Sendable func mark(_ request: HTTPRequest) async throws -> HTTPResponse {
        let body = try request.decodeStrict(MarkRequest.self, allowed: ["state"])
        let action: RunControl.Action
        switch body.state {
        case TaskState.succeeded.rawValue: action = .markSucceeded
        case TaskState.skipped.rawValue: action = .markSkipped
        default: throw HTTPError.badRequest("state must be succeeded or skipped")
        }
        return try await submit(request, action: action, task: try request.parameter("task")) { run, task in
            guard let task = task.flatMap(TaskState.init(rawValue:)) else { return }
            let active = run.state == RunState.running.rawValue || run.state == RunState.paused.rawValue
            if active, task.isTerminal {
                throw HTTPError.conflict("task already ended \(task.rawValue); mark it once the run has finished")
            }
            if !active, !task.isTerminal { throw HTTPError.conflict("run is \(run.state)") }
        }
    }

    @Sendable func impact(_ request: HTTPRequest) async throws -> HTTPResponse {
        let principal = try await context.principal(request)
        let id = try Self.runID(request)
        guard let task = request.query["task"], !task.isEmpty else { throw HTTPError.badRequest("missing query parameter 'task'") }
        let report = try await context.tenantRead(principal) { connection -> ImpactReport? in
            guard let row = try connection.query("SELECT workflow, workflow_version FROM runs WHERE id = $1 AND tenant = $2",
                                                 [id, principal.tenant]).first else { return nil }
            let workflow = try row.string("workflow")
            var definitions: [String: WorkflowDefinition] = [:]
            for latest in try connection.query("""
                SELECT DISTINCT ON (name) name, definition::text AS definition FROM workflows WHERE tenant = $1 ORDER BY name, version DESC
                """, [principal.tenant]) {
                definitions[try latest.string("name")] = try latest.json("definition", as: WorkflowDefinition.self)
            }
            // The run's own (pinned) version decides what is downstream inside it.
            definitions[workflow] = try plans.plan(tenant: principal.tenant, workflow: workflow, version: try row.int("workflow_version"),
                                                   connection).definition
            guard definitions[workflow]?.tasks.contains(where: { $0.id == task }) == true else {
                throw HTTPError.notFound("run \(id.key) has no task '\(task)'")
            }
            return ImpactReport.analyse(workflow: workflow, task: task, definitions: definitions)
        }
        guard let report else { throw HTTPError.notFound("no run \(id.key)") }
        return .json(report)
    }

    private struct RunRow {
        let state: String
    }

    /// Checks the run (and task) with `check`, then publishes the control in one transaction.
    private func submit(_ request: HTTPRequest, action: RunControl.Action, task: String?,
                        check: @escaping @Sendable (RunRow, String?) throws -> Void) async throws -> HTTPResponse {
        let principal = try await context.principal(request)
        try principal.requireWrite()
        let id = try Self.runID(request)
        try await context.tenantScoped(principal) { connection, outbox in
            guard let row = try connection.query("SELECT state FROM runs WHERE id = $1 AND tenant = $2", [id, principal.tenant]).first else {
                throw HTTPError.notFound("no run \(id.key)")
            }
            var taskState: String?
            if let task {
                guard let taskRow = try connection.query("SELECT state FROM task_instances WHERE run_id = $1 AND task_id = $2", [id, task]).first else {
                    throw HTTPError.notFound("run \(id.key) has no task '\(task)'")
                }
                taskState = try taskRow.string("state")
            }
            try check(RunRow(state: try row.string("state")), taskState)
            try outbox.publish(RunControl(runID: id, action: action, taskID: task, requestedBy: principal.name),
                               tenant: principal.tenant, topic: Topics.runsRequested, key: id.key)
        }
        var response = ["id": id.key, "action": action.rawValue]
        if let task { response["task"] = task }
        return .json(response, status: 202)
    }

    private static func runID(_ request: HTTPRequest) throws -> UUID {
        let text = try request.parameter("id")
        guard let id = UUID(uuidString: text) else { throw HTTPError.badRequest("'\(text)' is not a run id") }
        return id
    }
}
