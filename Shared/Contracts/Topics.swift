/// Every Kafka topic the platform uses, in one place (the README's architecture map mirrors it).
public enum Topics {
    /// trigger-service → dependency-resolver: a run should start, or stop (cancel). Key: run id.
    public static let runsRequested = "wl.runs.requested"
    /// dependency-resolver → dispatcher: a task's upstream is satisfied. Key: run id.
    public static let tasksReady = "wl.tasks.ready"
    /// dispatcher and agents → dependency-resolver, dispatcher: attempt state changes. Key: run id.
    public static let tasksStatus = "wl.tasks.status"
    /// agents → (log consumers): task output. Key: run id.
    public static let tasksLogs = "wl.tasks.logs"
    /// agents → dispatcher, cmdb-service: liveness and capacity. Key: agent id.
    public static let agentsHeartbeat = "wl.agents.heartbeat"
    /// dependency-resolver, dispatcher → notifier: something a person should know. Key: tenant.
    public static let alerts = "wl.alerts"
    /// dependency-resolver → every agent: stop an attempt (cancel, run timeout, mark by hand). Each
    /// agent reads the whole topic in a group of its own. Key: run id.
    public static let agentControl = "wl.agents.control"
    /// dependency-resolver → anyone: a run ended (cross-workflow waits, event triggers). Key: tenant.
    public static let runsEvents = "wl.runs.events"
    /// operators → services: schedule changes, cancellations. Key: tenant.
    public static let commands = "wl.commands"
    /// every state-changing service → audit-service: who did what, when. Key: tenant.
    public static let audit = "wl.audit"

    /// dispatcher → one agent: the dispatcher picks the agent (pool, labels, load), so every
    /// agent has a topic of its own. Key: run id.
    public static func dispatch(agent: String) -> String { "wl.agents.\(agent).dispatch" }

    /// Whether `name` can name an agent (and so its dispatch topic): 1–100 of `[A-Za-z0-9._-]`.
    public static func isAgentName(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.count <= 100 && name.unicodeScalars.allSatisfy {
            ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || $0 == "." || $0 == "_" || $0 == "-"
        }
    }

    /// The topics the dev broker creates up front (agents' dispatch topics are auto-created).
    public static let all: [String] = [
        runsRequested, tasksReady, tasksStatus, tasksLogs, agentsHeartbeat, agentControl, runsEvents, alerts, commands, audit,
    ]
}
