/// `wloadctl tenant create|list|show` and `wloadctl whoami`. Creating a tenant needs the platform
/// admin credential; a tenant credential lists and shows only its own tenant.
enum TenantCommand {
    static func run(_ words: [String], context: CLIContext) async throws -> Int32 {
        guard let action = words.first else { throw CLIError.usage("missing tenant command", Usage.tenant) }
        let rest = Array(words.dropFirst())
        switch action {
        case "create": return try await create(rest, context: context)
        case "list": return try await list(rest, context: context)
        case "show": return try await show(rest, context: context)
        default: throw CLIError.usage("unknown tenant command '\(action)'", Usage.tenant)
        }
    }

    private static func create(_ words: [String], context: CLIContext) async throws -> Int32 {
        let arguments = try Arguments(words, options: [.value("display-name"), .value("weight")], usage: Usage.tenant)
        let name = try arguments.positionals(exactly: 1, "tenant NAME", usage: Usage.tenant)[0]
        let weight = try arguments.integer("weight", in: 1...1_000, usage: Usage.tenant)
        let request = TenantRequest(name: name, displayName: arguments.value("display-name"), weight: weight)
        let (_, tenant) = try await context.api().call(TenantDetail.self, "POST", "trigger-service", "/v1/tenants",
                                                       body: APIClient.body(request))
        Output.line("tenant \(tenant.name) created (weight \(tenant.weight.map(String.init) ?? "1"))")
        return ExitCode.success
    }

    private static func list(_ words: [String], context: CLIContext) async throws -> Int32 {
        let arguments = try Arguments(words, options: [], usage: Usage.tenant)
        _ = try arguments.positionals(exactly: 0, "", usage: Usage.tenant)
        let (_, listing) = try await context.api().call(TenantListing.self, "GET", "trigger-service", "/v1/tenants")
        var table = Table("NAME", "DISPLAY NAME", "WEIGHT", "CREATED BY", "CREATED")
        for tenant in listing.tenants {
            table.add(tenant.name, tenant.displayName.orDash, tenant.weight.map(String.init).orDash, tenant.createdBy.orDash,
                      tenant.createdAt.orDash)
        }
        Output.line(table.render())
        return ExitCode.success
    }

    private static func show(_ words: [String], context: CLIContext) async throws -> Int32 {
        let arguments = try Arguments(words, options: [], usage: Usage.tenant)
        let name = try arguments.positionals(exactly: 1, "tenant NAME", usage: Usage.tenant)[0]
        let (_, tenant) = try await context.api().call(TenantDetail.self, "GET", "trigger-service",
                                                       "/v1/tenants/\(name.escapedPathSegment)")
        Output.line("""
            name          \(tenant.name)
            display name  \(tenant.displayName.orDash)
            weight        \(tenant.weight.map(String.init).orDash)
            created by    \(tenant.createdBy.orDash)
            created at    \(tenant.createdAt.orDash)
            """)
        return ExitCode.success
    }

    static func whoami(_ words: [String], context: CLIContext) async throws -> Int32 {
        let arguments = try Arguments(words, options: [], usage: Usage.whoami)
        _ = try arguments.positionals(exactly: 0, "", usage: Usage.whoami)
        let api = try context.api()
        let (_, identity) = try await api.call(Identity.self, "GET", "trigger-service", "/v1/whoami")
        let scope = identity.platform == true ? "platform credential, acting for \(api.tenantLabel)" : "tenant \(identity.tenant)"
        Output.line("\(identity.name) (\(identity.role), \(scope))")
        return ExitCode.success
    }
}
