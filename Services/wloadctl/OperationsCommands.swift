import Foundation

/// `wloadctl audit`, `resources` and `alert`: read-mostly views over audit-service, cmdb-service
/// and notifier.
enum OperationsCommands {
    static func audit(_ words: [String], context: CLIContext) async throws -> Int32 {
        let arguments = try Arguments(words, options: [], usage: Usage.audit)
        let reference = try RunReference(try arguments.positionals(exactly: 1, "RUN", usage: Usage.audit)[0], usage: Usage.audit)
        let api = reference.client(from: try context.api())
        let query = reference.id.escapedQueryValue
        let (_, listing) = try await api.call(AuditListing.self, "GET", "audit-service", "/v1/audit?run=\(query)")
        var table = Table("TIME", "ACTOR", "ACTION", "SUBJECT", "TASK", "CHANGE")
        for record in listing.records {
            let subject = [record.subjectType, record.subjectId].compactMap { $0 }.joined(separator: " ")
            let change = record.fromState == nil && record.toState == nil
                ? "-" : "\(record.fromState ?? "∅") → \(record.toState ?? "∅")"
            table.add(record.occurredAt.orDash, record.actor.orDash, record.action.orDash, Optional(subject).orDash,
                      record.taskId.orDash, change)
        }
        Output.line(table.render())
        return ExitCode.success
    }

    static func resources(_ words: [String], context: CLIContext) async throws -> Int32 {
        let arguments = try Arguments(words, options: [.value("class"), .value("pool")], usage: Usage.resources)
        _ = try arguments.positionals(exactly: 0, "", usage: Usage.resources)
        let filters = [("class", arguments.value("class")), ("pool", arguments.value("pool"))].compactMap { key, value in
            value.map { "\(key)=\($0.escapedQueryValue)" }
        }
        let path = "/v1/resources" + (filters.isEmpty ? "" : "?" + filters.joined(separator: "&"))
        let (_, listing) = try await context.api().call(ResourceListing.self, "GET", "cmdb-service", path)
        var table = Table("ID", "CLASS", "HOST", "POOL", "STATUS", "LAST SEEN")
        for resource in listing.resources {
            table.add(resource.id, resource.class.orDash, resource.host.orDash, resource.pool.orDash,
                      resource.status.orDash, resource.lastSeen.orDash)
        }
        Output.line(table.render())
        return ExitCode.success
    }

    static func alert(_ words: [String], context: CLIContext) async throws -> Int32 {
        let arguments = try Arguments(words, options: [], usage: Usage.alert)
        let positionals = try arguments.positionals(exactly: 2, "webhook URL", usage: Usage.alert)
        guard positionals[0] == "webhook" else {
            throw CLIError.usage("unknown alert command '\(positionals[0])'", Usage.alert)
        }
        let url = positionals[1]
        guard let parsed = URL(string: url), ["http", "https"].contains(parsed.scheme?.lowercased() ?? "") else {
            throw CLIError.usage("'\(url)' is not an http(s) URL", Usage.alert)
        }
        let api = try context.api()
        try await api.perform("PUT", "notifier", "/v1/alert-routes", body: APIClient.body(AlertRoute(webhookUrl: url)))
        Output.line("alerts for tenant \(api.tenantLabel) go to \(url)")
        return ExitCode.success
    }
}
