import Contracts
import Foundation
import HTTP
import LocalStack
import Testing

/// Calls a running test stack's HTTP APIs as the platform admin acting for `tenant`.
struct StackAPI: Sendable {
    let stack: Stack
    private let client = HTTPClient(timeout: .seconds(15))

    init(_ stack: Stack) { self.stack = stack }

    struct TaskView: Codable, Sendable {
        let id: String
        let state: String
        let attempt: Int
        let exitCode: Int?
    }

    struct RunView: Codable, Sendable {
        let id: UUID
        let workflow: String
        let tenant: String
        let state: String
        let tasks: [TaskView]
    }

    struct AuditEntry: Codable, Sendable {
        let messageId: UUID
        let seq: Int
        let actor: String
        let action: String
        let taskId: String?
        let toState: String?
        let details: [String: String]
    }

    struct APIError: Error, CustomStringConvertible {
        let description: String
    }

    func call(_ method: String, _ service: String, _ path: String, tenant: String, body: [UInt8]? = nil) async throws -> (status: Int, body: [UInt8]) {
        try await client.send(method: method, url: try stack.endpoint(service) + path, headers: try stack.headers(tenant: tenant), body: body)
    }

    func decode<T: Decodable>(_ type: T.Type, _ method: String, _ service: String, _ path: String, tenant: String,
                              body: [UInt8]? = nil, expect: ClosedRange<Int> = 200...299) async throws -> T {
        let response = try await call(method, service, path, tenant: tenant, body: body)
        guard expect.contains(response.status) else {
            throw APIError(description: "\(method) \(path) -> \(response.status): \(String(decoding: response.body, as: UTF8.self))")
        }
        return try WireCoding.decode(type, from: response.body)
    }

    func apply(_ definition: String, tenant: String) async throws {
        struct Applied: Codable { let version: Int }
        _ = try await decode(Applied.self, "POST", "trigger-service", "/v1/workflows", tenant: tenant, body: Array(definition.utf8))
    }

    func start(_ workflow: String, tenant: String, parameters: [String: String] = [:]) async throws -> UUID {
        struct Started: Codable { let id: UUID }
        struct Body: Codable { let workflow: String; let parameters: [String: String] }
        let body = try WireCoding.encode(Body(workflow: workflow, parameters: parameters))
        return try await decode(Started.self, "POST", "trigger-service", "/v1/runs", tenant: tenant, body: body).id
    }

    func run(_ id: UUID, tenant: String) async throws -> RunView {
        try await decode(RunView.self, "GET", "dependency-resolver", "/v1/runs/\(id.uuidString.lowercased())", tenant: tenant)
    }

    /// Polls until the run ends; fails the test with the run's last state on timeout.
    func waitForRun(_ id: UUID, tenant: String, timeout: Duration = .seconds(120)) async throws -> RunView {
        let deadline = ContinuousClock.now + timeout
        var last: RunView?
        while ContinuousClock.now < deadline {
            if let view = try? await run(id, tenant: tenant) {
                last = view
                if ["succeeded", "failed", "cancelled"].contains(view.state) { return view }
            }
            try await Task.sleep(for: .milliseconds(200))
        }
        let counts = Dictionary(grouping: last?.tasks ?? [], by: \.state).mapValues(\.count)
        throw APIError(description: "run \(id) did not finish within \(timeout): state \(last?.state ?? "unknown"), tasks \(counts)")
    }

    func audit(run id: UUID, tenant: String) async throws -> [AuditEntry] {
        struct Records: Codable { let records: [AuditEntry] }
        return try await decode(Records.self, "GET", "audit-service", "/v1/audit?run=\(id.uuidString.lowercased())", tenant: tenant).records
    }

    /// Runs `wloadctl` against the stack as the platform admin acting for `tenant`; returns stdout.
    func cli(_ arguments: [String], tenant: String = "acme") throws -> String {
        let wloadctl = stack.configuration.binDirectory.appendingPathComponent("wloadctl").path
        var environment = ProcessInfo.processInfo.environment
        environment["WLOADCTL_HOME"] = stack.configuration.root.path
        return try ProcessRunner.run([wloadctl, "--tenant", tenant] + arguments, environment: environment)
    }

    /// Polls `body` until it returns true (eventually-consistent read models such as the audit log).
    func eventually(timeout: Duration = .seconds(20), _ body: () async throws -> Bool) async throws -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if (try? await body()) == true { return true }
            try await Task.sleep(for: .milliseconds(200))
        }
        return false
    }
}

/// Builds definitions for the tests.
enum Workflows {
    /// A task that appends "<task> <attempt> <tenant>" to `file`, optionally sleeping first.
    static func recording(_ file: String, sleep: Double = 0) -> String {
        let pause = sleep > 0 ? "sleep \(sleep); " : ""
        return "\(pause)echo \"$WL_TASK_ID $WL_ATTEMPT $WL_TENANT\" >> \(file)"
    }

    static func definition(name: String, tasks: [(id: String, run: String, after: [String])]) -> String {
        let items = tasks.map { task -> String in
            let after = task.after.map { "\"\($0)\"" }.joined(separator: ",")
            return "{\"id\": \"\(task.id)\", \"run\": \(JSONString.quote(task.run)), \"after\": [\(after)]}"
        }
        return "{\"name\": \"\(name)\", \"tasks\": [\(items.joined(separator: ",\n"))]}"
    }

    /// start → `width` parallel tasks → end.
    static func fanOutFanIn(name: String, width: Int, file: String) -> String {
        let middle = (0..<width).map { "m\($0)" }
        return definition(name: name, tasks: [("start", recording(file), [])]
            + middle.map { ($0, recording(file), ["start"]) } + [("end", recording(file), middle)])
    }

    /// `layers` layers of `width` tasks; each task waits for the whole previous layer.
    static func layered(name: String, layers: Int, width: Int, file: String, sleep: Double) -> String {
        var tasks: [(id: String, run: String, after: [String])] = []
        for layer in 0..<layers {
            let previous = layer == 0 ? [] : (0..<width).map { "l\(layer - 1)t\($0)" }
            tasks += (0..<width).map { ("l\(layer)t\($0)", recording(file, sleep: sleep), previous) }
        }
        return definition(name: name, tasks: tasks)
    }
}

enum JSONString {
    static func quote(_ text: String) -> String {
        String(decoding: (try? JSONEncoder().encode(text)) ?? Data("\"\"".utf8), as: UTF8.self)
    }
}

/// Lines of a file written by recording tasks.
func recordedLines(_ path: String) -> [String] {
    ((try? String(contentsOfFile: path, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
}
