import Contracts
import Foundation
import Postgres
import Runtime
import ServiceKit

/// Turns tasks that may start into work: a `task.ready` for the dispatcher with templates filled
/// in, or a sub-workflow run. A template or sub-workflow that cannot be filled in fails the task
/// with the reason; nothing is half-started.
struct TaskLauncher {
    struct Failure {
        let task: Int
        let reason: String
    }

    let connection: PostgresConnection
    let effects: RunEffects
    let waits: WaitBook

    /// The outputs of the upstream tasks that `tasks` read, in one query.
    func outputs(of tasks: [Int], run: RunContext) throws -> [String: [String: String]] {
        let sources = Set(tasks.flatMap { run.plan.outputSources[$0] ?? [] })
        guard !sources.isEmpty else { return [:] }
        var outputs: [String: [String: String]] = [:]
        for row in try connection.query("""
            SELECT task_id, outputs::text AS outputs FROM task_instances WHERE run_id = $1 AND task_id = ANY($2) AND outputs IS NOT NULL
            """, [run.id, Array(sources)]) {
            outputs[try row.string("task_id")] = try row.json("outputs", as: [String: String].self)
        }
        return outputs
    }

    /// Registers the cross-workflow waits of `tasks`; returns those still waiting.
    func registerWaits(_ tasks: [Int], run: RunContext) throws -> Set<Int> {
        var open = Set<Int>()
        for task in tasks {
            guard let dependencies = run.plan.waits[task] else { continue }
            if try waits.register(run: run, task: run.plan.graph.ids[task], dependencies, connection) > 0 { open.insert(task) }
        }
        return open
    }

    /// What a launch did: the tasks that could not start, and how many became `ready` (the
    /// others are sub-workflows, now running).
    struct Launched {
        var failures: [Failure] = []
        var readied = 0
    }

    /// Publishes `task.ready` for command tasks and starts sub-workflow runs. `outputs` are the
    /// upstream outputs when the caller already read them; `failures`, the tasks' failures so
    /// far where the caller read them (the rest are read).
    func launch(_ tasks: [Int], run: RunContext, outputs known: [String: [String: String]]? = nil,
                failures knownFailures: [String: Int] = [:]) throws -> Launched {
        let graph = run.plan.graph
        let ids = tasks.map { graph.ids[$0] }
        var tries = knownFailures.mapValues { $0 + 1 }
        let unread = ids.filter { knownFailures[$0] == nil }
        if !unread.isEmpty {
            for row in try connection.query("SELECT task_id, failures FROM task_instances WHERE run_id = $1 AND task_id = ANY($2)",
                                            [run.id, unread]) {
                tries[try row.string("task_id")] = try row.int("failures") + 1
            }
        }
        let outputs = try known ?? outputs(of: tasks, run: run)
        var failures: [Failure] = []
        var ready: [String] = []
        for task in tasks {
            let id = graph.ids[task]
            let attempt = tries[id] ?? 1
            let values = run.values(task: id, attempt: attempt, outputs: outputs)
            do {
                if let sub = run.plan.definition.tasks[task].workflow {
                    try startChild(task, sub, attempt: attempt, values: values, run: run)
                } else {
                    try effects.ready(run, try spec(task, values: values, run: run))
                    ready.append(id)
                }
            } catch let error as ExpressionError {
                failures.append(Failure(task: task, reason: "template: \(error.message)"))
            } catch let error as RunRequests.Refused {
                failures.append(Failure(task: task, reason: "sub-workflow: \(error.description)"))
            } catch let error as ChildMissing {
                failures.append(Failure(task: task, reason: "sub-workflow: \(error.description)"))
            }
        }
        if !ready.isEmpty {
            try connection.executeDeferred("""
                UPDATE task_instances SET state = 'ready', reason = NULL, updated_at = now() WHERE run_id = $1 AND task_id = ANY($2)
                """, [run.id, ready])
            for id in ready { try effects.audit(run, "task.ready", task: id, to: TaskState.ready.rawValue) }
        }
        return Launched(failures: failures, readied: ready.count)
    }

    /// The attempt as the agent will run it: templates filled in, parameters and the logical
    /// time also as `WL_*` variables.
    private func spec(_ task: Int, values: ValueLookup, run: RunContext) throws(ExpressionError) -> TaskSpec {
        let definition = run.plan.definition.tasks[task]
        guard let templates = run.plan.templates[task] else { throw ExpressionError("task has no command") }
        var rendered: [String] = []
        for part in templates.command { rendered.append(try part.render(values)) }
        let command: Command = templates.isShell ? .shell(rendered.first ?? "") : .argv(rendered)
        var environment: [String: String] = [:]
        for (name, value) in run.parameters { environment["WL_PARAM_\(name)"] = value }
        for (name, template) in templates.env { environment[name] = try template.render(values) }
        environment["WL_LOGICAL_TIME"] = Timestamp.format(run.logicalTime)
        return TaskSpec(runID: run.id, taskID: definition.id, workflow: run.workflow, pool: definition.pool, command: command,
                        environment: environment, directory: try templates.cwd?.render(values), timeoutSeconds: definition.timeoutSeconds,
                        priority: definition.priority, selector: definition.selector, concurrency: definition.concurrency,
                        runAs: definition.runAs)
    }

    struct ChildMissing: Error, CustomStringConvertible {
        let description: String
    }

    /// Requests the child run (idempotent per parent task and try) and marks the task running.
    private func startChild(_ task: Int, _ sub: SubWorkflowDefinition, attempt: Int, values: ValueLookup, run: RunContext) throws {
        var parameters: [String: String] = [:]
        for (name, template) in run.plan.templates[task]?.subParameters ?? [:] { parameters[name] = try template.render(values) }
        let id = run.plan.graph.ids[task]
        let request = RunRequests.Request(tenant: run.tenant, workflow: sub.name, parameters: parameters, source: "workflow",
                                          requestedBy: "\(run.key)/\(id)", idempotencyKey: "workflow:\(run.key)/\(id)/\(attempt)",
                                          logicalTime: run.logicalTime, details: ["parentRun": run.key, "parentTask": id],
                                          parent: RunParent(runID: run.id, taskID: id, attempt: attempt))
        guard let child = try RunRequests.create(request, connection, effects.outbox) else {
            throw ChildMissing(description: "no workflow '\(sub.name)'")
        }
        try connection.executeDeferred("""
            UPDATE task_instances SET state = 'running', attempt = $3, child_run_id = $4, reason = NULL, updated_at = now()
            WHERE run_id = $1 AND task_id = $2
            """, [run.id, id, attempt, child.id])
        try effects.audit(run, "task.running", task: id, to: TaskState.running.rawValue,
                          details: ["childRun": child.id.key, "workflow": sub.name, "attempt": "\(attempt)"])
    }
}
