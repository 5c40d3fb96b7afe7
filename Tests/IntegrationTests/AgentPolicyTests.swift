import Contracts
import Foundation
import LocalStack
import Runtime
import ServiceKit
import Sodium
import Testing

extension Integration {
    /// What an agent agrees to run, driven directly over Kafka: only orders signed with the
    /// stack's dispatch key and addressed to this agent process, only what its policy file
    /// allows, as the user the task names. Also what it tells the dispatcher in heartbeats, and
    /// how it stops an attempt the dispatcher has superseded.
    @Suite struct AgentPolicyTests {
        struct Resources: Decodable {
            struct Resource: Decodable {
                let id: String
                let attributes: [String: String]
            }
            let resources: [Resource]
        }

        @Test func onlyGenuineOrdersForThisAgentProcessRunAndThePolicyDecidesTheRest() async throws {
            let files = try PolicyFiles()
            defer { files.remove() }
            try await Stack.withDirectAgents(name: "agent-policy", agents: 2, configure: { configuration in
                configuration.environment["agent-1"] = ["WL_AGENT_POLICY": files.policy]
            }) { stack in
                try await genuineOrdersOnly(stack, files: files)
                try await policyRefusals(stack, files: files)
            }
        }

        @Test func heartbeatsDeclareTheAgentAndAKillStopsOnlyTheSupersededAttempt() async throws {
            try await Stack.withDirectAgents(name: "agent-heartbeat", configure: { configuration in
                configuration.environment["agent-1"] = ["WL_AGENT_POOLS": "default,gpu", "WL_AGENT_LABELS": "zone=a,region=eu-west",
                                                        "WL_HEARTBEAT_INTERVAL": "0.5", "WL_KILL_GRACE": "1"]
            }) { stack in
                let agent = try AgentDriver(stack)
                let root = stack.configuration.root.path
                let task = agent.spec(.shell("sleep 120 & echo $! > \"$WL_OUTPUT.child\"; wait"))
                try await agent.send(agent.order(task, attempt: 1))
                _ = try await agent.status(task, .running, within: .seconds(20))
                // The dispatcher gave the task to this agent again (attempt 2): both now run here.
                try await agent.send(agent.order(task, attempt: 2))
                _ = try await agent.status(task, .running, attempt: 2, within: .seconds(20))

                let first = task.runID.key
                let beat = try await agent.heartbeat(within: .seconds(10)) { $0.attempts?.count == 2 }
                #expect(beat.pools == ["default", "gpu"] && beat.pool == "default", "\(beat)")
                #expect(beat.labels?["zone"] == "a" && beat.labels?["region"] == "eu-west", "\(beat)")
                #expect(beat.labels?["os"] == "linux" && beat.labels?["arch"]?.isEmpty == false, "\(beat)")
                #expect(beat.load.map { $0 >= 0 } == true && beat.slots == 8 && beat.running == 2, "\(beat)")
                #expect(beat.attempts == [1, 2].map { AttemptRef(runID: task.runID, taskID: task.taskID, attempt: $0) }, "\(beat)")
                let api = StackAPI(stack)
                let recorded = try await api.eventually {
                    let resources = try await api.decode(Resources.self, "GET", "cmdb-service", "/v1/resources?class=agent", tenant: "acme")
                    let attributes = resources.resources.first { $0.id == "agent-1" }?.attributes ?? [:]
                    return attributes["pools"] == "default,gpu" && attributes["label.zone"] == "a" && attributes["label.os"] == "linux"
                        && attributes["load"] != nil
                }
                #expect(recorded, "the CMDB records pools, labels and load")

                // Attempt 1 is superseded: its kill stops its process group and nothing else,
                // and its report still goes out (the resolver and dispatcher fence it).
                let children = (1...2).map { "\(root)/agents/agent-1/runs/\(first)/\(task.taskID).\($0).output.child" }
                #expect(try await StackAPI(stack).eventually { children.allSatisfy { FileManager.default.fileExists(atPath: $0) } })
                let killed = try await agent.killUntilFinal(task, attempt: 1, reason: "superseded by attempt 2", within: .seconds(15))
                #expect(killed.attempt == 1 && killed.state == .failed && killed.reason == "superseded by attempt 2", "\(killed)")
                #expect(AgentDriver.isGone(pidIn: children[0]), "the superseded attempt's child died with its group")
                #expect(!AgentDriver.isGone(pidIn: children[1]), "the current attempt still runs")
                #expect(try await agent.reports(task).filter { $0.attempt == 2 && $0.state != .running }.isEmpty)
                let current = [AttemptRef(runID: task.runID, taskID: task.taskID, attempt: 2)]
                let after = try await agent.heartbeat(within: .seconds(10)) { $0.attempts == current }
                #expect(after.running == 1, "\(after)")

                let stopped = try await agent.killUntilFinal(task, attempt: 2, reason: "cancelled", within: .seconds(15))
                #expect(stopped.attempt == 2 && stopped.reason == "cancelled", "\(stopped)")
            }
        }

        @Test func anAgentWithoutKeyOrWithBadSettingsDoesNotStart() async throws {
            let files = try PolicyFiles()
            defer { files.remove() }
            let base = ["WL_KAFKA_BOOTSTRAP": "127.0.0.1:1", "WL_HTTP_PORT": "0", "WL_AGENT_WORKDIR": "\(files.directory)/work",
                        "WL_DISPATCH_PUBLIC_KEY_FILE": files.publicKey]
            let cases: [([String: String], String)] = [
                (base.filter { $0.key != "WL_DISPATCH_PUBLIC_KEY_FILE" }, "WL_DISPATCH_PUBLIC_KEY_FILE is required"),
                (base.merging(["WL_DISPATCH_PUBLIC_KEY_FILE": files.policy]) { $1 }, "does not hold a dispatch public key"),
                (base.merging(["WL_AGENT_ID": "agent 1"]) { $1 }, "WL_AGENT_ID must be 1-100"),
                (base.merging(["WL_AGENT_LABELS": "zone"]) { $1 }, "WL_AGENT_LABELS 'zone' is not key=value"),
                (base.merging(["WL_AGENT_POOLS": "etl,,gpu"]) { $1 }, "WL_AGENT_POOLS"),
                (base.merging(["WL_AGENT_POLICY": files.badPolicy]) { $1 }, "unknown key 'allowedCommands'"),
                (base.merging(["WL_AGENT_POLICY": "\(files.directory)/missing.json"]) { $1 }, "cannot read the policy file"),
            ]
            for (environment, expected) in cases {
                let (code, output) = try await AgentProcess.run(environment: environment)
                #expect(code == 2 && output.contains(expected), "exit \(code): \(output)")
            }
        }

        // MARK: - Steps

        /// Forged, tampered, misaddressed and stale orders are dropped unreported; an order for
        /// this session or for none runs. All go through one partition (one key), so once the
        /// last order has its report every earlier one has been handled.
        private func genuineOrdersOnly(_ stack: Stack, files: PolicyFiles) async throws {
            let agent = try AgentDriver(stack, agent: "agent-2")
            let key = "one-partition"
            let started = ContinuousClock.now
            let first = try await agent.dispatch(.argv(["/bin/true"]))
            _ = try await agent.final(first, within: .seconds(20))
            let latency = ContinuousClock.now - started
            // The agent's topic is created when its consumer subscribes; the first order waits
            // only for the agent to join its group (the broker's initial rebalance delay, 3 s).
            #expect(latency < .seconds(10), "the first order took \(latency)")

            func marking(_ name: String) -> TaskSpec { agent.spec(.shell("touch '\(files.directory)/\(name)'")) }
            let forger = try DispatchSigner(secretKeyFile: files.foreignKey)
            let forged = marking("forged")
            try await agent.send(try forger.sign(agent.order(forged)), tenant: "acme", to: "agent-2", key: key)

            let tampered = marking("tampered")
            var genuine = try agent.signer.sign(agent.order(agent.spec(.shell("true"))))
            genuine.order = String(decoding: try WireCoding.encode(agent.order(tampered)), as: UTF8.self)
            try await agent.send(genuine, tenant: "acme", to: "agent-2", key: key)

            let unsigned = marking("unsigned")
            let noSignature = TaskDispatch(order: String(decoding: try WireCoding.encode(agent.order(unsigned)), as: UTF8.self), signature: "00")
            try await agent.send(noSignature, tenant: "acme", to: "agent-2", key: key)

            let elsewhere = marking("elsewhere")
            try await agent.send(agent.order(elsewhere, agent: "agent-1"), to: "agent-2", key: key)

            let otherTenant = marking("other-tenant")
            try await agent.send(try agent.signer.sign(agent.order(otherTenant)), tenant: "globex", to: "agent-2", key: key)

            let stale = marking("stale-session")
            try await agent.send(agent.order(stale, session: "an-earlier-session"), key: key)

            // Batches (several orders under one signature): forged, or mixing addressees, run none.
            let forgedBatch = [marking("forged-batch-1"), marking("forged-batch-2")]
            try await agent.send(try forger.sign(forgedBatch.map { agent.order($0) }), tenant: "acme", to: "agent-2", key: key)
            let mixedBatch = [marking("mixed-batch-1"), marking("mixed-batch-2")]
            try await agent.send(batch: [agent.order(mixedBatch[0]), agent.order(mixedBatch[1], agent: "agent-1")], to: "agent-2", key: key)
            var tamperedBatch = try agent.signer.sign([agent.order(marking("tampered-batch-1")), agent.order(marking("tampered-batch-2"))])
            tamperedBatch.orders = tamperedBatch.orders.replacingOccurrences(of: "tampered-batch-2", with: "tampered-batch-3")
            try await agent.send(tamperedBatch, tenant: "acme", to: "agent-2", key: key)

            let session = try await agent.heartbeat(within: .seconds(10)).session
            // A genuine batch runs every order in it.
            let batch = (1...3).map { _ in agent.spec(.shell("true")) }
            try await agent.send(batch: batch.map { agent.order($0, session: session) }, to: "agent-2", key: key)
            let current = agent.spec(.shell("echo ran >> \"$WL_OUTPUT.mark\"; echo ok=1 >> \"$WL_OUTPUT\""))
            let sent = ContinuousClock.now
            try await agent.send(agent.order(current, session: session), key: key)
            let report = try await agent.final(current, within: .seconds(20))
            #expect(ContinuousClock.now - sent < .seconds(2), "a joined agent takes an order at once (took \(ContinuousClock.now - sent))")
            #expect(report.state == .succeeded && report.outputs == ["ok": "1"] && report.agentSession == session, "\(report)")

            for task in batch {
                #expect(try await agent.final(task, within: .seconds(10)).state == .succeeded, "\(task.taskID) of the genuine batch")
            }
            for dropped in [forged, tampered, unsigned, elsewhere, otherTenant, stale] + forgedBatch + mixedBatch {
                #expect(try await agent.reports(dropped).isEmpty, "\(dropped.taskID) was reported")
            }
            let marks = try FileManager.default.contentsOfDirectory(atPath: files.directory)
            for name in ["forged", "tampered", "unsigned", "elsewhere", "other-tenant", "stale-session", "forged-batch-1", "forged-batch-2",
                         "mixed-batch-1", "mixed-batch-2", "tampered-batch-1", "tampered-batch-2", "tampered-batch-3"] {
                #expect(!marks.contains(name), "\(name) ran")
            }
            let log = stack.logTail("agent-2", lines: 200)
            #expect(log.contains("dispatch signature does not verify") && log.contains("addressed to agent agent-1")
                    && log.contains("envelope of tenant globex") && log.contains("earlier session an-earlier-session")
                    && log.contains("disagree on their agent, session or tenant"), "\(log)")
        }

        /// agent-1's policy (see `PolicyFiles`) refuses by executable, prefix, PATH trick, tenant
        /// and user, each reported failed with reason `policy: …` and nothing started; what it
        /// allows runs, `runAs` as that user. agent-2 has no policy: other users are refused.
        private func policyRefusals(_ stack: Stack, files: PolicyFiles) async throws {
            let agent = try AgentDriver(stack)
            let path = ["PATH": "/usr/bin:/bin"]
            /// agent-2 runs without a policy file.
            func noPolicy(_ task: TaskSpec) async throws -> TaskSpec {
                try await agent.send(agent.order(task, agent: "agent-2"))
                return task
            }
            let refused: [(TaskSpec, String)] = [
                (try await agent.dispatch(.argv(["/usr/bin/env", "touch", "\(files.directory)/env-ran"])),
                 "policy: executable /usr/bin/env not allowed"),
                (try await agent.dispatch(.argv(["\(files.jobs)/../evil.sh"])),
                 "policy: executable \(files.directory)/evil.sh not allowed"),
                (try await agent.dispatch(.argv(["id"]), environment: ["PATH": "\(files.directory):/usr/bin"]),
                 "policy: executable \(files.directory)/id not allowed"),
                (try await agent.dispatch(.shell("touch '\(files.directory)/globex-ran'"), tenant: "globex"),
                 "policy: tenant globex not allowed"),
                (try await agent.dispatch(.argv(["id", "-un"]), runAs: "daemon", environment: path),
                 "policy: user daemon not allowed"),
                (try await noPolicy(agent.spec(.argv(["id", "-un"]), runAs: "nobody", environment: path)),
                 "policy: user nobody not allowed"),
            ]
            let allowedJob = try await agent.dispatch(.argv(["\(files.jobs)/ok.sh"]))
            let asNobody = try await agent.dispatch(.argv(["id", "-un"]), runAs: "nobody", environment: path)
            let shellAsNobody = try await agent.dispatch(.shell(#"printf 'user=%s\nhome=%s\ncwd=%s\n' "$(id -un)" "$HOME" "$(pwd)" >> "$WL_OUTPUT""#),
                                                         runAs: "nobody")
            for (task, reason) in refused {
                let report = try await agent.final(task, within: .seconds(20))
                #expect(report.state == .failed && report.reason == reason && report.exitCode == nil, "\(report)")
                #expect(try await agent.reports(task).allSatisfy { $0.state != .running }, "a refused order is never reported running")
            }
            #expect(!FileManager.default.fileExists(atPath: "\(files.directory)/env-ran"))
            #expect(!FileManager.default.fileExists(atPath: "\(files.directory)/evil-ran"))
            #expect(!FileManager.default.fileExists(atPath: "\(files.directory)/id-ran"))
            #expect(!FileManager.default.fileExists(atPath: "\(files.directory)/globex-ran"))

            let allowed = try await agent.final(allowedJob, within: .seconds(20))
            #expect(allowed.state == .succeeded && allowed.outputTail == "ok\n", "\(allowed)")
            let nobody = try await agent.final(asNobody, within: .seconds(20))
            #expect(nobody.state == .succeeded && nobody.outputTail == "nobody\n", "\(nobody)")
            let shell = try await agent.final(shellAsNobody, within: .seconds(20))
            let scratch = "\(stack.configuration.root.path)/agents/agent-1/runs/\(shellAsNobody.runID.key)/as-nobody"
            #expect(shell.state == .succeeded && shell.outputs == ["user": "nobody", "home": "/nonexistent", "cwd": scratch], "\(shell)")
        }
    }
}

/// The files the policy tests need outside the stack's root (which is cleared when it starts):
/// agent-1's policy, a job directory it allows, programs it must refuse and a foreign key pair.
private struct PolicyFiles {
    let directory: String
    var jobs: String { "\(directory)/jobs" }
    var policy: String { "\(directory)/policy.json" }
    var badPolicy: String { "\(directory)/bad-policy.json" }
    var foreignKey: String { "\(directory)/foreign.key" }
    var publicKey: String { "\(directory)/foreign.pub" }

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("wl-agent-policy-\(UUID().key)").path
        try FileManager.default.createDirectory(atPath: "\(directory)/jobs", withIntermediateDirectories: true)
        try Self.write(#"{"allowedExecutables": ["/bin/sh", "/usr/bin/id"], "allowedPathPrefixes": ["\#(directory)/jobs/"], "#
            + #""allowedTenants": ["acme"], "allowedUsers": ["nobody"]}"#, to: "\(directory)/policy.json")
        try Self.write(#"{"allowedCommands": ["/bin/sh"]}"#, to: "\(directory)/bad-policy.json")
        try Self.write("#!/bin/sh\necho ok\n", to: "\(directory)/jobs/ok.sh", mode: 0o755)
        try Self.write("#!/bin/sh\ntouch '\(directory)/evil-ran'\n", to: "\(directory)/evil.sh", mode: 0o755)
        try Self.write("#!/bin/sh\ntouch '\(directory)/id-ran'\n", to: "\(directory)/id", mode: 0o755)
        try DispatchSigning.ensureKeyPair(secretPath: "\(directory)/foreign.key", publicPath: "\(directory)/foreign.pub")
    }

    func remove() { try? FileManager.default.removeItem(atPath: directory) }

    private static func write(_ text: String, to path: String, mode: Int = 0o644) throws {
        guard FileManager.default.createFile(atPath: path, contents: Data(text.utf8), attributes: [.posixPermissions: mode]) else {
            throw AgentDriverError(description: "cannot write \(path)")
        }
    }
}

/// Runs the agent executable on its own until it exits (bad settings) or 10 s pass.
private enum AgentProcess {
    static func run(environment: [String: String]) async throws -> (Int32, String) {
        let repository = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
        let binary = StackConfiguration.binDirectory(repository: repository, preferRelease: false).appendingPathComponent("agent")
        let process = Process()
        process.executableURL = binary
        process.environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("WL_") }.merging(environment) { $1 }
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let deadline = ContinuousClock.now + .seconds(10)
        while process.isRunning, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(50))
        }
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        return (process.terminationStatus, text)
    }
}
