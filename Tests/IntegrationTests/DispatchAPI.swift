import Contracts
import Foundation
import LocalStack

/// The dispatcher's API and the evidence tests read about dispatching: which agent ran a task,
/// what held it back, and when processes started and ended.
struct DispatchAPI: Sendable {
    let api: StackAPI

    struct TaskPlacement: Codable, Sendable {
        let id: String
        let state: String
        let attempt: Int
        let agent: String?
        let reason: String?
        let waitingFor: String?
    }

    struct RunPlacement: Codable, Sendable {
        let state: String
        let tasks: [TaskPlacement]
    }

    struct QueueStatus: Codable, Sendable {
        let tenant: String
        let running: Int
        let queued: Int
        let throttleReason: String?
        let nextDispatchAt: Date?
    }

    struct QueueView: Codable, Sendable {
        let status: QueueStatus
    }

    /// A pool as the platform admin's `GET /v1/pools` shows it.
    struct PoolSeen: Codable, Sendable {
        let name: String
        let running: Int
        let queued: Int
    }

    func pools() async throws -> [PoolSeen] {
        try await api.decode([PoolSeen].self, "GET", "dispatcher", "/v1/pools", tenant: "acme")
    }

    func placement(_ run: UUID, tenant: String) async throws -> RunPlacement {
        try await api.decode(RunPlacement.self, "GET", "dependency-resolver", "/v1/runs/\(run.key)", tenant: tenant)
    }

    /// The agents the dispatcher knows, by id.
    func agentIDs() async throws -> [String] {
        try await api.decode([AgentSeen].self, "GET", "dispatcher", "/v1/agents", tenant: "acme").map(\.id)
    }

    struct AgentSeen: Codable, Sendable {
        let id: String
    }

    func queue(tenant: String) async throws -> QueueStatus {
        try await api.decode(QueueView.self, "GET", "dispatcher", "/v1/queue", tenant: tenant).status
    }

    /// PUTs `json` to a dispatcher path as the platform admin; returns the status.
    @discardableResult
    func put(_ path: String, _ json: String) async throws -> Int {
        try await api.call("PUT", "dispatcher", path, tenant: "acme", body: Array(json.utf8)).status
    }

    /// Waits until some task of `run` waits for a reason containing `text`; returns that reason.
    func waitReason(_ run: UUID, tenant: String, containing text: String, timeout: Duration = .seconds(30)) async throws -> String? {
        var found: String?
        _ = try await api.eventually(timeout: timeout) {
            found = try await placement(run, tenant: tenant).tasks.compactMap(\.waitingFor).first { $0.contains(text) }
            return found != nil
        }
        return found
    }
}

/// Tasks that log "start|end <tenant> <task> <attempt> <nanoseconds>" lines to one file, so a
/// test can see order and overlap of the real processes.
enum Spans {
    static func command(_ file: String, sleep: Double) -> String {
        "echo \"start $WL_TENANT $WL_TASK_ID $WL_ATTEMPT $(date +%s%N)\" >> \(file); sleep \(sleep); "
            + "echo \"end $WL_TENANT $WL_TASK_ID $WL_ATTEMPT $(date +%s%N)\" >> \(file)"
    }

    struct Event {
        let start: Bool
        let tenant: String
        let task: String
        let attempt: Int
        let nanos: Int
    }

    static func events(_ file: String) -> [Event] {
        let text = (try? String(contentsOfFile: file, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap { line in
            let words = line.split(separator: " ").map(String.init)
            guard words.count == 5, let attempt = Int(words[3]), let nanos = Int(words[4]) else { return nil }
            return Event(start: words[0] == "start", tenant: words[1], task: words[2], attempt: attempt, nanos: nanos)
        }.sorted { $0.nanos < $1.nanos }
    }

    /// The most processes that ran at once (an end at the same instant as a start counts first).
    static func maxOverlap(_ events: [Event]) -> Int {
        var current = 0, peak = 0
        for event in events.sorted(by: { ($0.nanos, $0.start ? 1 : 0) < ($1.nanos, $1.start ? 1 : 0) }) {
            current += event.start ? 1 : -1
            peak = max(peak, current)
        }
        return peak
    }

    /// A workflow of `count` independent tasks, each logging its span.
    static func parallel(name: String, count: Int, file: String, sleep: Double, extra: String = "") -> String {
        let tasks = (0..<count).map { index in
            "{\"id\": \"t\(index)\", \"run\": \(JSONString.quote(command(file, sleep: sleep)))\(extra)}"
        }
        return "{\"name\": \"\(name)\", \"tasks\": [\(tasks.joined(separator: ",\n"))]}"
    }
}
