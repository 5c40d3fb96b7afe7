import Contracts
import Foundation
import Runtime
import ServiceKit

/// The agent's settings, from `WL_AGENT_*` and `WL_DISPATCH_PUBLIC_KEY_FILE`. Anything wrong
/// stops the agent at start with one line: an agent that cannot check signatures, or whose
/// policy file is unreadable, must not run at all rather than run with fewer checks.
struct AgentConfiguration: Sendable {
    let agentID: String
    /// The pools it serves; the first is its primary pool (`AgentHeartbeat.pool`).
    let pools: [String]
    /// Its labels, with `os` and `arch` added unless given.
    let labels: [String: String]
    let slots: Int
    let workDirectory: String
    let heartbeatInterval: Duration
    /// How long a task has between SIGTERM and SIGKILL when it is stopped (timeout or kill).
    let killGrace: Duration
    /// How long an attempt runs before it is reported `running` (`RunningReports`); shorter
    /// attempts report only their outcome.
    let runningReportDelay: Duration
    let host: String
    /// Checks that orders come from the dispatcher.
    let verifier: DispatchVerifier
    /// The local policy; `AgentPolicy.unrestricted` without a policy file.
    let policy: AgentPolicy
    let policyFile: String?
    /// The agent's own user, which `runAs` may name without a grant.
    let identity: AgentPolicy.Identity
    /// Simulate mode (`WL_AGENT_SIMULATE=true`): accepted attempts succeed after
    /// `WL_AGENT_SIMULATE_SECONDS` (default 0) without a process. Nil runs real processes.
    let simulation: Simulation?
    /// Random per process start: lets the dispatcher tell this run of the agent from an earlier
    /// one with the same id, whose attempts died with it.
    let session = UUID().key

    init(_ environment: Environment, instanceID: String) throws {
        agentID = environment.string("WL_AGENT_ID", default: instanceID)
        guard Topics.isAgentName(agentID) else {
            throw ConfigError(key: "WL_AGENT_ID", problem: "must be 1-100 of A-Z a-z 0-9 . _ - (it names the agent's dispatch topic), got '\(agentID)'")
        }
        do {
            pools = try AgentDeclaration.pools(environment.optional("WL_AGENT_POOLS") ?? environment.string("WL_AGENT_POOL", default: "default"))
        } catch {
            throw ConfigError(key: environment.optional("WL_AGENT_POOLS") == nil ? "WL_AGENT_POOL" : "WL_AGENT_POOLS", problem: error.description)
        }
        do {
            labels = AgentDeclaration.labels(try AgentDeclaration.labels(environment.string("WL_AGENT_LABELS", default: "")),
                                             addingDefaults: Self.detectedLabels())
        } catch {
            throw ConfigError(key: "WL_AGENT_LABELS", problem: error.description)
        }
        slots = try environment.int("WL_AGENT_SLOTS", default: 8, range: 1...4_096)
        workDirectory = environment.string("WL_AGENT_WORKDIR", default: FileManager.default.currentDirectoryPath + "/.wloadctl/agents/\(agentID)")
        heartbeatInterval = try environment.seconds("WL_HEARTBEAT_INTERVAL", default: 2)
        killGrace = try environment.seconds("WL_KILL_GRACE", default: 5)
        runningReportDelay = try environment.seconds("WL_RUNNING_REPORT_DELAY", default: 0.2)
        host = ProcessInfo.processInfo.hostName
        let keyFile = try environment.required("WL_DISPATCH_PUBLIC_KEY_FILE")
        do { verifier = try DispatchVerifier(publicKeyFile: keyFile) } catch {
            throw ConfigError(key: "WL_DISPATCH_PUBLIC_KEY_FILE", problem: "\(error) (the agent runs only orders signed by the dispatcher)")
        }
        policyFile = environment.optional("WL_AGENT_POLICY")
        policy = try policyFile.map(Self.readPolicy) ?? .unrestricted
        let user = UserAccount.current()
        identity = AgentPolicy.Identity(user: user.name, isRoot: user.isRoot)
        simulation = try environment.bool("WL_AGENT_SIMULATE", default: false)
            ? Simulation(duration: try environment.seconds("WL_AGENT_SIMULATE_SECONDS", default: 0)) : nil
    }

    private static func readPolicy(_ path: String) throws -> AgentPolicy {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigError(key: "WL_AGENT_POLICY", problem: "cannot read the policy file \(path)")
        }
        do { return try AgentPolicy(json: Array(data)) } catch {
            throw ConfigError(key: "WL_AGENT_POLICY", problem: "\(path): \(error.description)")
        }
    }

    /// `os` (lowercased kernel name, e.g. `linux`) and `arch` (the machine, e.g. `x86_64`).
    private static func detectedLabels() -> [String: String] {
        var names = utsname()
        guard uname(&names) == 0 else { return [:] }
        func text<T>(_ field: T) -> String {
            withUnsafeBytes(of: field) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        }
        return ["os": text(names.sysname).lowercased(), "arch": text(names.machine)]
    }
}
