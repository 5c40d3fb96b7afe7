/// `wloadctl token create|list|revoke`: API credentials of the tenant the CLI acts for (`--tenant`,
/// or a tenant credential's own). Needs a platform admin or an admin of that tenant.
enum TokenCommand {
    static func run(_ words: [String], context: CLIContext) async throws -> Int32 {
        guard let action = words.first else { throw CLIError.usage("missing token command", Usage.token) }
        let rest = Array(words.dropFirst())
        switch action {
        case "create": return try await create(rest, context: context)
        case "list": return try await list(rest, context: context)
        case "revoke": return try await revoke(rest, context: context)
        default: throw CLIError.usage("unknown token command '\(action)'", Usage.token)
        }
    }

    /// Prints only the token on stdout (`token=$(wloadctl token create …)` works); it is shown
    /// this once.
    private static func create(_ words: [String], context: CLIContext) async throws -> Int32 {
        let arguments = try Arguments(words, options: [.value("role")], usage: Usage.token)
        let name = try arguments.positionals(exactly: 1, "token NAME", usage: Usage.token)[0]
        guard let role = arguments.value("role") else { throw CLIError.usage("missing --role (admin, operator or viewer)", Usage.token) }
        let api = try context.api()
        let tenant = try await Self.tenant(api)
        let (_, issued) = try await api.call(TokenDetail.self, "POST", "trigger-service", "/v1/tenants/\(tenant.escapedPathSegment)/tokens",
                                             body: APIClient.body(TokenRequest(name: name, role: role)))
        guard let token = issued.token else { throw CLIError("trigger-service issued token \(name) but did not return it") }
        Output.error("token \(issued.name) for tenant \(issued.tenant ?? tenant) (role \(issued.role ?? role)); shown only this once:")
        Output.line(token)
        return ExitCode.success
    }

    private static func list(_ words: [String], context: CLIContext) async throws -> Int32 {
        let arguments = try Arguments(words, options: [], usage: Usage.token)
        _ = try arguments.positionals(exactly: 0, "", usage: Usage.token)
        let api = try context.api()
        let tenant = try await Self.tenant(api)
        let (_, listing) = try await api.call(TokenListing.self, "GET", "trigger-service", "/v1/tenants/\(tenant.escapedPathSegment)/tokens")
        var table = Table("NAME", "ROLE", "CREATED")
        for token in listing.tokens {
            table.add(token.name, token.role.orDash, token.createdAt.orDash)
        }
        Output.line(table.render())
        return ExitCode.success
    }

    private static func revoke(_ words: [String], context: CLIContext) async throws -> Int32 {
        let arguments = try Arguments(words, options: [], usage: Usage.token)
        let name = try arguments.positionals(exactly: 1, "token NAME", usage: Usage.token)[0]
        let api = try context.api()
        let tenant = try await Self.tenant(api)
        try await api.perform("DELETE", "trigger-service", "/v1/tenants/\(tenant.escapedPathSegment)/tokens/\(name.escapedPathSegment)")
        Output.line("token \(name) of tenant \(tenant) revoked")
        return ExitCode.success
    }

    /// The tenant named for the CLI, else the credential's own (asked from the service).
    private static func tenant(_ api: APIClient) async throws -> String {
        if let tenant = api.tenant { return tenant }
        let (_, identity) = try await api.call(Identity.self, "GET", "trigger-service", "/v1/whoami")
        guard identity.platform != true else {
            throw CLIError("a platform credential must name the tenant: --tenant NAME")
        }
        return identity.tenant
    }
}
