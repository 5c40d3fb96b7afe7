import Foundation

/// `wloadctl agent` and `pool`: agents with their pools, labels and load; draining one for
/// maintenance; dedicating a pool to one tenant.
enum AgentCommands {
    static func agent(_ words: [String], context: CLIContext) async throws -> Int32 {
        let arguments = try Arguments(words, options: [], usage: Usage.agent)
        guard let verb = arguments.positionals.first else { throw CLIError.usage("missing agent command", Usage.agent) }
        let api = try context.api()
        switch verb {
        case "list":
            _ = try arguments.positionals(exactly: 1, "", usage: Usage.agent)
            let (_, agents) = try await api.call([AgentListItem].self, "GET", "dispatcher", "/v1/agents")
            var table = Table("AGENT", "STATE", "POOLS", "LABELS", "RUNNING/SLOTS", "LOAD", "HOST", "LAST SEEN")
            for agent in agents {
                let labels = agent.labels.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
                table.add(agent.id, agent.state, agent.pools.joined(separator: ","), Optional(labels).orDash, "\(agent.running)/\(agent.slots)",
                          agent.load.map { String(format: "%.2f", $0) }.orDash, agent.host, agent.lastSeen)
            }
            Output.line(table.render())
        case "drain", "undrain":
            let id = try arguments.positionals(exactly: 2, "AGENT", usage: Usage.agent)[1]
            try await api.perform("POST", "dispatcher", "/v1/agents/\(id.escapedPathSegment)/\(verb)")
            Output.line(verb == "drain" ? "agent \(id) is draining: it finishes its running tasks and gets no new ones"
                                        : "agent \(id) takes new tasks again")
        default:
            throw CLIError.usage("unknown agent command '\(verb)'", Usage.agent)
        }
        return ExitCode.success
    }

    static func pool(_ words: [String], context: CLIContext) async throws -> Int32 {
        let arguments = try Arguments(words, options: [.value("dedicated"), .flag("shared")], usage: Usage.pool)
        guard let verb = arguments.positionals.first else { throw CLIError.usage("missing pool command", Usage.pool) }
        let api = try context.api()
        switch verb {
        case "list":
            _ = try arguments.positionals(exactly: 1, "", usage: Usage.pool)
            let (_, pools) = try await api.call([PoolListItem].self, "GET", "dispatcher", "/v1/pools")
            var table = Table("POOL", "DEDICATED TO", "AGENTS", "SLOTS", "RUNNING", "QUEUED")
            for pool in pools {
                table.add(pool.name, pool.dedicatedTo ?? "shared", "\(pool.agents)", "\(pool.slots)", "\(pool.running)", "\(pool.queued)")
            }
            Output.line(table.render())
        case "set":
            let name = try arguments.positionals(exactly: 2, "POOL", usage: Usage.pool)[1]
            let dedicated = arguments.value("dedicated")
            guard (dedicated != nil) != arguments.has("shared") else {
                throw CLIError.usage("give exactly one of --dedicated TENANT or --shared", Usage.pool)
            }
            try await api.perform("PUT", "dispatcher", "/v1/pools/\(name.escapedPathSegment)", body: APIClient.body(PoolChangeBody(dedicatedTo: dedicated)))
            Output.line(dedicated.map { "pool \(name) is dedicated to tenant \($0)" } ?? "pool \(name) is shared")
        default:
            throw CLIError.usage("unknown pool command '\(verb)'", Usage.pool)
        }
        return ExitCode.success
    }
}
