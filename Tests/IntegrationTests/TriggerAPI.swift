import Contracts
import Foundation
import HTTP
import LocalStack

/// The trigger-service calls the trigger tests make, on top of `StackAPI`.
extension StackAPI {
    struct FireView: Codable, Sendable {
        let logicalTime: Date
        let source: String
        let state: String
        let reason: String?
        let runID: UUID?
    }

    struct ScheduleView: Codable, Sendable {
        let workflow: String
        let id: String
        let paused: Bool
        let nextFire: Date?
        let nextFireLocal: String?
    }

    struct TriggeredRun: Codable, Sendable {
        let id: UUID
        let state: String
        let logicalTime: Date
        let source: String
        let requestedBy: String
        let parameters: [String: String]
    }

    func fires(_ workflow: String, schedule: String, tenant: String, service: String = "trigger-service") async throws -> [FireView] {
        struct Fires: Codable { let fires: [FireView] }
        return try await decode(Fires.self, "GET", service, "/v1/schedules/\(workflow)/\(schedule)/fires?limit=1000", tenant: tenant)
            .fires.sorted { $0.logicalTime < $1.logicalTime }
    }

    func schedules(_ workflow: String, tenant: String) async throws -> [ScheduleView] {
        struct Schedules: Codable { let schedules: [ScheduleView] }
        return try await decode(Schedules.self, "GET", "trigger-service", "/v1/schedules?workflow=\(workflow)", tenant: tenant).schedules
    }

    func triggeredRun(_ id: UUID, tenant: String) async throws -> TriggeredRun {
        try await decode(TriggeredRun.self, "GET", "dependency-resolver", "/v1/runs/\(id.key)", tenant: tenant)
    }

    func runs(_ workflow: String, tenant: String) async throws -> [UUID] {
        struct Summary: Codable { let id: UUID }
        struct Runs: Codable { let runs: [Summary] }
        return try await decode(Runs.self, "GET", "dependency-resolver", "/v1/runs?workflow=\(workflow)&limit=1000", tenant: tenant).runs.map(\.id)
    }

    /// Status and body text of a call, for tests that expect an error.
    func attempt(_ method: String, _ path: String, tenant: String, body: String? = nil,
                 service: String = "trigger-service") async throws -> (status: Int, text: String) {
        let response = try await call(method, service, path, tenant: tenant, body: body.map { Array($0.utf8) })
        return (response.status, String(decoding: response.body, as: UTF8.self))
    }

    /// Whether the service instance named `component` currently leads scheduling (its metric).
    func isSchedulingLeader(_ component: String) async -> Bool {
        guard let base = try? stack.endpoint(component),
              let response = try? await HTTPClient(timeout: .seconds(3)).send(method: "GET", url: base + "/metrics", headers: [:], body: nil)
        else { return false }
        return String(decoding: response.body, as: UTF8.self).split(separator: "\n").contains { line in
            line.hasPrefix("wl_scheduler_leader ") && Double(line.dropFirst("wl_scheduler_leader ".count)) == 1
        }
    }
}

/// A workflow of one no-op task with the given top-level trigger fields (JSON members).
enum TriggerWorkflows {
    static func with(name: String, _ members: String, task: String = "true") -> String {
        "{\"name\": \"\(name)\", \(members), \"tasks\": [{\"id\": \"t\", \"run\": \(JSONString.quote(task))}]}"
    }
}
