/// An agent's local policy file: what this host agrees to run, whoever signed the order. The
/// dispatcher's signature says an order is genuine; the policy is the host owner's own limit, so a
/// compromised or misconfigured control plane still cannot run anything else here.
///
///     {"allowedExecutables": ["/bin/sh", "/usr/bin/python3"],
///      "allowedPathPrefixes": ["/opt/jobs/"],
///      "allowedTenants": ["acme"],
///      "allowedUsers": ["batch"]}
///
/// A key left out sets no limit of that kind, except `allowedUsers`: running as another user is
/// always an explicit grant (see `refusal`). Executables and prefixes together form one allow
/// list: a program is allowed when either admits it. Unknown keys are an error, so a misspelt
/// limit never silently allows everything.
public struct AgentPolicy: Sendable, Equatable {
    public struct Invalid: Error, Equatable, CustomStringConvertible {
        public let description: String
    }

    /// Who the agent process is, for `runAs` decisions.
    public struct Identity: Sendable, Equatable {
        public var user: String
        public var isRoot: Bool

        public init(user: String, isRoot: Bool) {
            self.user = user
            self.isRoot = isRoot
        }
    }

    public var allowedExecutables: [String]?
    public var allowedPathPrefixes: [String]?
    public var allowedTenants: [String]?
    public var allowedUsers: [String]?

    /// No policy file: signatures are the only check, and tasks run as the agent's own user.
    public static let unrestricted = AgentPolicy()

    static let fields: Set<String> = ["allowedExecutables", "allowedPathPrefixes", "allowedTenants", "allowedUsers"]

    public init(allowedExecutables: [String]? = nil, allowedPathPrefixes: [String]? = nil, allowedTenants: [String]? = nil,
                allowedUsers: [String]? = nil) {
        self.allowedExecutables = allowedExecutables
        self.allowedPathPrefixes = allowedPathPrefixes
        self.allowedTenants = allowedTenants
        self.allowedUsers = allowedUsers
    }

    /// Reads a policy file's JSON. Paths must be absolute; they are normalised (`/opt/jobs/../x`
    /// is `/opt/x`), and prefixes name directories (`/opt/jobs` and `/opt/jobs/` are the same).
    public init(json bytes: [UInt8]) throws(Invalid) {
        let document: JSONValue
        do { document = try WireCoding.decode(JSONValue.self, from: bytes) } catch {
            throw Invalid(description: "not JSON: \(WireCoding.describe(error))")
        }
        guard case .object(let fields) = document else { throw Invalid(description: "must be a JSON object, not \(document.typeName)") }
        if let unknown = fields.keys.sorted().first(where: { !Self.fields.contains($0) }) {
            throw Invalid(description: "unknown key '\(unknown)' (allowed: \(Self.fields.sorted().joined(separator: ", ")))")
        }
        self.init(allowedExecutables: try Self.paths(fields, "allowedExecutables"),
                  allowedPathPrefixes: try Self.paths(fields, "allowedPathPrefixes"),
                  allowedTenants: try Self.strings(fields, "allowedTenants"),
                  allowedUsers: try Self.strings(fields, "allowedUsers"))
    }

    /// Why this policy refuses to run `executable` (absolute, normalised: see `ExecutablePath`)
    /// for `tenant` as `runAs`, or nil when it allows it: the first of `refusal(tenant:)`,
    /// `refusal(runAs:agent:)` and `refusal(executable:)`. The text follows `policy: ` in the
    /// failed report.
    public func refusal(executable: String, tenant: String, runAs: String?, agent: Identity) -> String? {
        refusal(tenant: tenant) ?? refusal(runAs: runAs, agent: agent) ?? refusal(executable: executable)
    }

    public func refusal(tenant: String) -> String? {
        guard let allowedTenants, !allowedTenants.contains(tenant) else { return nil }
        return "tenant \(tenant) not allowed"
    }

    /// `runAs` nil or naming the agent's own user needs no grant. Any other user must be listed
    /// in `allowedUsers` (with no list, no other user is allowed: switching users is a decision
    /// an operator makes explicitly), and the agent must be root to switch.
    public func refusal(runAs: String?, agent: Identity) -> String? {
        guard let user = runAs, user != agent.user else { return nil }
        guard allowedUsers?.contains(user) ?? false else { return "user \(user) not allowed" }
        guard agent.isRoot else { return "cannot run as \(user): the agent is not root" }
        return nil
    }

    public func refusal(executable: String) -> String? {
        guard allowedExecutables != nil || allowedPathPrefixes != nil else { return nil }
        let listed = allowedExecutables?.contains(executable) ?? false
        let inside = allowedPathPrefixes?.contains { ExecutablePath.isInside(executable, directory: $0) } ?? false
        return listed || inside ? nil : "executable \(executable) not allowed"
    }

    private static func strings(_ fields: [String: JSONValue], _ key: String) throws(Invalid) -> [String]? {
        guard let value = fields[key] else { return nil }
        guard case .array(let items) = value else { throw Invalid(description: "\(key) must be an array of strings, not \(value.typeName)") }
        var strings: [String] = []
        for item in items {
            guard case .string(let text) = item, !text.isEmpty else {
                throw Invalid(description: "\(key) must hold non-empty strings, not \(item.typeName == "string" ? "an empty string" : item.typeName)")
            }
            strings.append(text)
        }
        return strings
    }

    private static func paths(_ fields: [String: JSONValue], _ key: String) throws(Invalid) -> [String]? {
        guard let paths = try strings(fields, key) else { return nil }
        return try paths.map { path throws(Invalid) in
            guard path.hasPrefix("/") else { throw Invalid(description: "\(key): '\(path)' is not an absolute path") }
            return ExecutablePath.normalise(path)
        }
    }
}
