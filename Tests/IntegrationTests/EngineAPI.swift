import Contracts
import Foundation
import LocalStack

/// The engine's view of runs and the run controls, for the workflow-engine tests.
struct EngineAPI: Sendable {
    let api: StackAPI
    let tenant: String

    struct Task: Codable, Sendable {
        let id: String
        let state: String
        let attempt: Int
        let exitCode: Int?
        let reason: String?
        let failures: Int?
        let outputs: [String: String]?
        let childRun: UUID?
        let finishedBy: String?
    }

    struct Run: Codable, Sendable {
        let id: UUID
        let state: String
        let reason: String?
        let parentRun: UUID?
        let parentTask: String?
        let reruns: Int?
        let parameters: [String: String]
        let tasks: [Task]

        var states: [String: String] { Dictionary(uniqueKeysWithValues: tasks.map { ($0.id, $0.state) }) }
        func task(_ id: String) -> Task? { tasks.first { $0.id == id } }
    }

    func run(_ id: UUID) async throws -> Run {
        try await api.decode(Run.self, "GET", "dependency-resolver", "/v1/runs/\(id.key)", tenant: tenant)
    }

    /// Polls until the run ends (or is in `states`).
    func wait(_ id: UUID, for states: Set<String> = ["succeeded", "failed", "cancelled"], timeout: Duration = .seconds(90)) async throws -> Run {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let view = try? await run(id), states.contains(view.state) { return view }
            try await _Concurrency.Task.sleep(for: .milliseconds(200))
        }
        let last = try await run(id)
        throw StackAPI.APIError(description: "run \(id) did not reach \(states.sorted()) within \(timeout): \(last.state) \(last.states)")
    }

    /// Polls until `task` of the run is in `state`.
    func wait(_ id: UUID, task: String, state: String, timeout: Duration = .seconds(60)) async throws -> Run {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let view = try? await run(id), view.task(task)?.state == state { return view }
            try await _Concurrency.Task.sleep(for: .milliseconds(200))
        }
        let last = try await run(id)
        throw StackAPI.APIError(description: "task \(task) of run \(id) did not reach \(state) within \(timeout): \(last.states)")
    }

    func start(_ workflow: String, _ parameters: [String: String] = [:]) async throws -> UUID {
        try await api.start(workflow, tenant: tenant, parameters: parameters)
    }

    /// POSTs a run control; returns the HTTP status.
    func control(_ id: UUID, _ path: String, body: String? = nil) async throws -> Int {
        try await api.call("POST", "dependency-resolver", "/v1/runs/\(id.key)/\(path)", tenant: tenant, body: body.map { Array($0.utf8) }).status
    }

    /// Applies a definition; returns the HTTP status and body (for expected rejections).
    func apply(_ definition: String) async throws -> (status: Int, text: String) {
        let response = try await api.call("POST", "trigger-service", "/v1/workflows", tenant: tenant, body: Array(definition.utf8))
        return (response.status, String(decoding: response.body, as: UTF8.self))
    }
}
