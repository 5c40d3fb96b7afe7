/// `wloadctl webhook create|list|delete`: signed webhook triggers at trigger-service. Unrelated
/// to `alert webhook`, which is where notifier sends alerts.
enum WebhookCommand {
    static func run(_ words: [String], context: CLIContext) async throws -> Int32 {
        guard let action = words.first else { throw CLIError.usage("missing webhook command", Usage.webhook) }
        let rest = Array(words.dropFirst())
        switch action {
        case "create": return try await create(rest, context: context)
        case "list": return try await list(rest, context: context)
        case "delete": return try await delete(rest, context: context)
        default: throw CLIError.usage("unknown webhook command '\(action)'", Usage.webhook)
        }
    }

    /// The secret is in this answer only (the service never shows it again), so it is printed
    /// with how to use it.
    private static func create(_ words: [String], context: CLIContext) async throws -> Int32 {
        let arguments = try Arguments(words, options: [], usage: Usage.webhook)
        let positionals = try arguments.positionals(exactly: 2, "WORKFLOW NAME", usage: Usage.webhook)
        let (workflow, name) = (positionals[0], positionals[1])
        let api = try context.api()
        let (_, hook) = try await api.call(WebhookDetail.self, "POST", "trigger-service",
                                           "/v1/workflows/\(workflow.escapedPathSegment)/webhooks",
                                           body: APIClient.body(WebhookRequest(name: name)))
        let address = try Self.url(of: hook, api: api)
        Output.line("""
            id      \(hook.id)
            url     \(address)
            secret  \(hook.secret.orDash)

            The secret is shown only this once; store it now.
            Sign each POST to the url (its JSON body's fields become run parameters) with the headers
              X-WL-Timestamp: <unix seconds>
              X-WL-Signature: sha256=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>
            A request whose timestamp is outside the replay window, or whose signature was already
            accepted, is refused.
            """)
        return ExitCode.success
    }

    private static func list(_ words: [String], context: CLIContext) async throws -> Int32 {
        let arguments = try Arguments(words, options: [], usage: Usage.webhook)
        _ = try arguments.positionals(exactly: 0, "", usage: Usage.webhook)
        let api = try context.api()
        let (_, listing) = try await api.call(WebhookListing.self, "GET", "trigger-service", "/v1/webhooks")
        var table = Table("ID", "WORKFLOW", "NAME", "URL", "CREATED")
        for hook in listing.webhooks {
            let address = try Self.url(of: hook, api: api)
            table.add(hook.id, hook.workflow.orDash, hook.name.orDash, address, hook.createdAt.orDash)
        }
        Output.line(table.render())
        return ExitCode.success
    }

    private static func delete(_ words: [String], context: CLIContext) async throws -> Int32 {
        let arguments = try Arguments(words, options: [], usage: Usage.webhook)
        let id = try arguments.positionals(exactly: 1, "webhook ID", usage: Usage.webhook)[0]
        try await context.api().perform("DELETE", "trigger-service", "/v1/webhooks/\(id.escapedPathSegment)")
        Output.line("webhook \(id) deleted")
        return ExitCode.success
    }

    /// Where senders post: trigger-service's endpoint and the hook's path.
    private static func url(of hook: WebhookDetail, api: APIClient) throws -> String {
        try api.endpoint("trigger-service") + (hook.path ?? "/v1/hooks/\(hook.id.lowercased())")
    }
}
