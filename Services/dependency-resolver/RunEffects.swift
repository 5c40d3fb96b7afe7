import Contracts
import Foundation
import Runtime
import ServiceKit

/// What a change to a run tells the rest of the platform, all through the transaction's outbox:
/// the audit trail, alerts, ready tasks and kill orders for agents.
struct RunEffects {
    static let actor = "dependency-resolver"
    let outbox: Outbox
    let logger: Logger

    /// One audit record; the subject is the task when `task` is given, else the run.
    func audit(_ run: RunContext, _ action: String, task: String? = nil, from: String? = nil, to: String? = nil,
               actor: String = RunEffects.actor, details: [String: String] = [:]) throws {
        try outbox.audit(AuditRecord(actor: actor, action: action, subjectType: task == nil ? "run" : "task",
                                       subjectID: task ?? run.key, runID: run.id, taskID: task, fromState: from, toState: to,
                                       details: details),
                           tenant: run.tenant, key: run.key)
    }

    func alert(_ run: RunContext, kind: String, severity: String, summary: String, details: [String: String] = [:]) throws {
        try outbox.publish(Alert(kind: kind, severity: severity, summary: summary, runID: run.id, workflow: run.workflow, details: details),
                           tenant: run.tenant, topic: Topics.alerts, key: run.tenant)
    }

    /// The run's tasks made ready by one transaction travel to the dispatcher as one group.
    func ready(_ run: RunContext, _ spec: TaskSpec) throws {
        try outbox.publish(grouped: TaskReady(task: spec), tenant: run.tenant, topic: Topics.tasksReady, key: run.key)
    }

    /// Tells every agent to stop `task`'s running process (the one running it reports `failed`).
    func kill(_ run: RunContext, task: String, reason: String) throws {
        try outbox.publish(TaskKill(runID: run.id, taskID: task, attempt: nil, reason: reason),
                           tenant: run.tenant, topic: Topics.agentControl, key: run.key)
    }

    /// Asks for a sub-workflow run to be cancelled (it is a run of its own, with its own stream).
    func cancelChild(_ run: RunContext, child: UUID, reason: String) throws {
        try outbox.publish(RunCancelRequested(runID: child, reason: reason, requestedBy: RunEffects.actor),
                           tenant: run.tenant, topic: Topics.runsRequested, key: child.key)
    }
}
