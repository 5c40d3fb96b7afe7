import Contracts
import Testing

@Suite struct AgentPolicyRulesTests {
    private let root = AgentPolicy.Identity(user: "root", isRoot: true)
    private let batch = AgentPolicy.Identity(user: "batch", isRoot: false)

    private func policy(_ json: String) throws(AgentPolicy.Invalid) -> AgentPolicy {
        try AgentPolicy(json: Array(json.utf8))
    }

    private func problem(_ json: String) -> String? {
        do {
            _ = try policy(json)
            return nil
        } catch {
            return error.description
        }
    }

    // MARK: - Reading the file

    @Test func readsEveryKindOfLimit() throws {
        let read = try policy("""
            {"allowedExecutables": ["/bin/sh", "/usr/bin/python3"], "allowedPathPrefixes": ["/opt/jobs/"],
             "allowedTenants": ["acme"], "allowedUsers": ["batch"]}
            """)
        #expect(read == AgentPolicy(allowedExecutables: ["/bin/sh", "/usr/bin/python3"], allowedPathPrefixes: ["/opt/jobs"],
                                    allowedTenants: ["acme"], allowedUsers: ["batch"]))
        #expect(try policy("{}") == .unrestricted)
    }

    @Test func unknownKeysAreAnErrorSoAMisspeltLimitNeverAllowsEverything() {
        #expect(problem(#"{"allowedExecutable": ["/bin/sh"]}"#)?.contains("unknown key 'allowedExecutable'") == true)
    }

    @Test func malformedFilesNameTheProblem() {
        #expect(problem("[]")?.contains("must be a JSON object") == true)
        #expect(problem("{not json")?.hasPrefix("not JSON") == true)
        #expect(problem(#"{"allowedTenants": "acme"}"#)?.contains("allowedTenants must be an array of strings") == true)
        #expect(problem(#"{"allowedTenants": [""]}"#)?.contains("non-empty strings") == true)
        #expect(problem(#"{"allowedExecutables": ["sh"]}"#)?.contains("'sh' is not an absolute path") == true)
        #expect(problem(#"{"allowedPathPrefixes": ["opt/jobs"]}"#)?.contains("not an absolute path") == true)
    }

    @Test func pathsInTheFileAreNormalised() throws {
        let read = try policy(#"{"allowedExecutables": ["/usr/./bin//python3"], "allowedPathPrefixes": ["/opt/jobs/../tools/"]}"#)
        #expect(read.allowedExecutables == ["/usr/bin/python3"])
        #expect(read.allowedPathPrefixes == ["/opt/tools"])
    }

    // MARK: - Decisions

    @Test func noPolicyAllowsAnyExecutableAndTenantButNoOtherUser() {
        let policy = AgentPolicy.unrestricted
        #expect(policy.refusal(executable: "/usr/bin/curl", tenant: "acme", runAs: nil, agent: root) == nil)
        #expect(policy.refusal(executable: "/usr/bin/curl", tenant: "acme", runAs: "root", agent: root) == nil)
        #expect(policy.refusal(executable: "/usr/bin/curl", tenant: "acme", runAs: "nobody", agent: root) == "user nobody not allowed")
    }

    @Test func executablesAndPrefixesFormOneAllowList() throws {
        let policy = try policy(#"{"allowedExecutables": ["/bin/sh"], "allowedPathPrefixes": ["/opt/jobs"]}"#)
        #expect(policy.refusal(executable: "/bin/sh") == nil)
        #expect(policy.refusal(executable: "/opt/jobs/nightly.sh") == nil)
        #expect(policy.refusal(executable: "/opt/jobs/deep/er/tool") == nil)
        #expect(policy.refusal(executable: "/usr/bin/curl") == "executable /usr/bin/curl not allowed")
        #expect(policy.refusal(executable: "/opt/jobsx/tool") == "executable /opt/jobsx/tool not allowed", "whole segments only")
        #expect(policy.refusal(executable: "/opt/jobs") == "executable /opt/jobs not allowed", "the directory itself is no program")
        #expect(policy.refusal(executable: "/bin/bash") == "executable /bin/bash not allowed")
    }

    @Test func aPrefixCannotBeEscapedWithDotDot() throws {
        let policy = try policy(#"{"allowedPathPrefixes": ["/opt/jobs/"]}"#)
        let escaped = ExecutablePath.resolve("/opt/jobs/../../usr/bin/curl", searchPath: "", workingDirectory: "/") { _ in true }
        #expect(escaped == "/usr/bin/curl")
        #expect(policy.refusal(executable: escaped ?? "") == "executable /usr/bin/curl not allowed")
        let relative = ExecutablePath.resolve("../bin/tool", searchPath: "", workingDirectory: "/opt/jobs/run") { _ in true }
        #expect(relative == "/opt/jobs/bin/tool")
        #expect(policy.refusal(executable: relative ?? "") == nil)
    }

    @Test func tenantsAreCheckedFirst() throws {
        let policy = try policy(#"{"allowedTenants": ["acme"], "allowedExecutables": ["/bin/sh"]}"#)
        #expect(policy.refusal(executable: "/bin/sh", tenant: "acme", runAs: nil, agent: root) == nil)
        #expect(policy.refusal(executable: "/usr/bin/curl", tenant: "globex", runAs: nil, agent: root) == "tenant globex not allowed")
        #expect(try self.policy(#"{"allowedTenants": []}"#).refusal(tenant: "acme") == "tenant acme not allowed", "an empty list allows none")
    }

    @Test func otherUsersNeedAGrantAndARootAgent() throws {
        let policy = try policy(#"{"allowedUsers": ["batch", "nobody"]}"#)
        #expect(policy.refusal(runAs: "nobody", agent: root) == nil)
        #expect(policy.refusal(runAs: "postgres", agent: root) == "user postgres not allowed")
        #expect(policy.refusal(runAs: "nobody", agent: batch) == "cannot run as nobody: the agent is not root")
        #expect(policy.refusal(runAs: "batch", agent: batch) == nil, "the agent's own user needs no switch")
        #expect(policy.refusal(runAs: nil, agent: batch) == nil)
    }

    // MARK: - Finding the executable

    @Test func bareNamesAreFoundInAbsolutePathEntriesOnly() {
        let present: Set<String> = ["/usr/bin/python3", "/work/python3", "/bin/sh"]
        func resolve(_ program: String, _ path: String) -> String? {
            ExecutablePath.resolve(program, searchPath: path, workingDirectory: "/work") { present.contains($0) }
        }
        #expect(resolve("python3", "/usr/local/bin:/usr/bin:/bin") == "/usr/bin/python3")
        #expect(resolve("python3", ".:/usr/bin") == "/usr/bin/python3", "relative entries are skipped")
        #expect(resolve("python3", "::/usr/bin") == "/usr/bin/python3")
        #expect(resolve("python3", "/usr/bin/../../work") == "/work/python3")
        #expect(resolve("missing", "/usr/bin") == nil)
        #expect(resolve("", "/usr/bin") == nil)
        #expect(resolve("./python3", "") == "/work/python3", "a name with a slash is relative to the working directory")
        #expect(resolve("/bin/./sh", "") == "/bin/sh")
    }

    @Test func normalisingNeverClimbsAboveTheRoot() {
        #expect(ExecutablePath.normalise("/../../etc//passwd") == "/etc/passwd")
        #expect(ExecutablePath.normalise("/a/b/./c/..") == "/a/b")
        #expect(ExecutablePath.normalise("/") == "/")
        #expect(ExecutablePath.isInside("/x", directory: "/"))
    }

    // MARK: - Pools and labels an agent declares

    @Test func poolsAreACommaList() throws {
        #expect(try AgentDeclaration.pools("default") == ["default"])
        #expect(try AgentDeclaration.pools(" etl , gpu,etl ") == ["etl", "gpu"])
        #expect(throws: AgentDeclaration.Invalid.self) { try AgentDeclaration.pools("etl,,gpu") }
        #expect(throws: AgentDeclaration.Invalid.self) { try AgentDeclaration.pools("bad pool") }
    }

    @Test func labelsAreKeyValuePairsWithSelectorNames() throws {
        #expect(try AgentDeclaration.labels("") == [:])
        #expect(try AgentDeclaration.labels("zone=a, region=eu-west,topology.io/rack=r1:2") == [
            "zone": "a", "region": "eu-west", "topology.io/rack": "r1:2",
        ])
        for bad in ["zone", "zone=", "=a", "zone=a b", "zone=a,zone=b", "zone=a=b", String(repeating: "k", count: 64) + "=v"] {
            #expect(throws: AgentDeclaration.Invalid.self, "\(bad)") { try AgentDeclaration.labels(bad) }
        }
        let labels = AgentDeclaration.labels(["os": "freebsd", "zone": "a"], addingDefaults: ["os": "linux", "arch": "x86_64"])
        #expect(labels == ["os": "freebsd", "zone": "a", "arch": "x86_64"], "given labels win over detected ones")
        #expect(try LabelSelector(parsing: "zone=a,os=freebsd").matches(labels))
    }
}
