import Contracts
import Foundation
import Kafka
import LocalStack
import Postgres
import Runtime
import Testing

extension Integration {
    /// The spine end to end: real Postgres, the dev broker, every service and two agents as processes.
    @Suite struct PipelineTests {
        @Test func threeTaskChainRunsInOrderAndIsAudited() async throws {
            try await Stack.withIsolated(name: "chain") { stack in
                let api = StackAPI(stack)
                let output = stack.configuration.root.appendingPathComponent("chain.out").path
                try await api.apply(Workflows.definition(name: "chain", tasks: [
                    ("extract", Workflows.recording(output), []),
                    ("transform", Workflows.recording(output), ["extract"]),
                    ("load", Workflows.recording(output), ["transform"]),
                ]), tenant: "acme")
                let id = try await api.start("chain", tenant: "acme")
                let run = try await api.waitForRun(id, tenant: "acme")
                #expect(run.state == "succeeded")
                #expect(run.tasks.map(\.id) == ["extract", "transform", "load"])
                #expect(run.tasks.allSatisfy { $0.state == "succeeded" && $0.attempt == 1 && $0.exitCode == 0 })
                #expect(recordedLines(output) == ["extract 1 acme", "transform 1 acme", "load 1 acme"])
                let audited = try await api.eventually {
                    let actions = try await api.audit(run: id, tenant: "acme").map(\.action)
                    return actions.first == "run.trigger" && actions.last == "run.succeeded"
                        && actions.filter { $0 == "task.succeeded" }.count == 3
                }
                #expect(audited, "audit trail holds the trigger, every task success and the run's end")
                let successes = try await api.audit(run: id, tenant: "acme").filter { $0.action == "task.succeeded" }
                #expect(successes.allSatisfy { $0.details["startedAt"] != nil }, "each outcome record says when the attempt started")
                try await Self.redeliveredAuditRecordsAreStoredOnce(stack, api: api, run: id)
                try await Self.redeliveredReadiesAreQueuedOnce(stack)
            }
        }

        /// The dispatcher's intake records ready messages as processed in the statement that
        /// queues them: a ready delivered again (here after a newer ready for the same task, as an
        /// outbox relay killed between publish and delete would) changes nothing, and of two new
        /// readies for one task the later one is queued. The pool has no agents, so the rows stay
        /// queued for the test to read.
        static func redeliveredReadiesAreQueuedOnce(_ stack: Stack) async throws {
            let producer = try KafkaProducer(configuration: KafkaConfiguration(bootstrapServers: stack.kafkaBootstrap),
                                             logger: Logger(label: "test", level: .warning))
            let run = UUID()
            func spec(_ task: String, _ command: String) -> TaskSpec {
                TaskSpec(runID: run, taskID: task, workflow: "intake", pool: "nowhere", command: .shell(command), environment: [:])
            }
            let first = try Envelope(tenant: "acme", payload: MessageGroup(items: [TaskReady(task: spec("a", "first")),
                                                                                   TaskReady(task: spec("b", "first"))])).encoded()
            let newer = try Envelope(tenant: "acme", payload: TaskReady(task: spec("a", "newer"))).encoded()
            let marker = try Envelope(tenant: "acme", payload: TaskReady(task: spec("marker", "last"))).encoded()
            for value in [first, newer, first, marker] {
                try await producer.send([KafkaOutgoingMessage(topic: Topics.tasksReady, key: run.key, value: value)])
            }
            let database = PostgresClient(configuration: PostgresConfiguration(connectionString: stack.databaseURL, poolSize: 1),
                                          logger: Logger(label: "intake", level: .warning))
            func queued() async throws -> [String: String] {
                try await database.transaction { connection in
                    var commands: [String: String] = [:]
                    for row in try connection.query("""
                        SELECT l.task_id, s.spec->>'command' AS command FROM task_leases l JOIN task_specs s USING (run_id, task_id)
                        WHERE l.run_id = $1 AND l.state = 'queued'
                        """, [run]) { commands[try row.string("task_id")] = try row.string("command") }
                    return commands
                }
            }
            let deadline = ContinuousClock.now + .seconds(30)
            var rows = try await queued()
            while rows["marker"] == nil, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(100))
                rows = try await queued()
            }
            await database.close()
            #expect(rows == ["a": "newer", "b": "first", "marker": "last"])
        }

        /// The same audit record delivered twice (an outbox relay killed between publish and
        /// delete) is stored once: the audit log is keyed by message id.
        static func redeliveredAuditRecordsAreStoredOnce(_ stack: Stack, api: StackAPI, run: UUID) async throws {
            let producer = try KafkaProducer(configuration: KafkaConfiguration(bootstrapServers: stack.kafkaBootstrap),
                                             logger: Logger(label: "test", level: .warning))
            func record(_ action: String) throws -> [UInt8] {
                try Envelope(tenant: "acme", payload: AuditRecord(actor: "test", action: action, subjectType: "run", subjectID: run.key,
                                                                  runID: run, details: [:])).encoded()
            }
            let started = Date()
            let batch = try Envelope(tenant: "acme", payload: MessageGroup(items: (1...3).map { number in
                AuditRecord(actor: "test", action: "test.batch", subjectType: "run", subjectID: run.key, runID: run,
                            details: ["n": "\(number)"], occurredAt: started.addingTimeInterval(Double(number) / 1_000))
            })).encoded()
            // Records of two runs in one message (a transaction that touched both): each run's
            // trail shows its own, each known by the message and its place in it.
            let other = UUID()
            let mixedID = UUID()
            let mixed = try Envelope(id: mixedID, tenant: "acme", occurredAt: started, payload: MessageGroup(items: [run, run, other, run].enumerated().map {
                AuditRecord(actor: "test", action: "test.mixed", subjectType: "run", subjectID: $0.element.key, runID: $0.element,
                            details: ["n": "\($0.offset)"], occurredAt: started.addingTimeInterval(Double($0.offset) / 1_000))
            })).encoded()
            let twice = try record("test.redelivered"), marker = try record("test.marker")
            // Postgres reads the records from the message: one it cannot store (no actor) is
            // parked with its error, and the messages around it are stored all the same.
            let malformed = Array(String(decoding: try record("test.malformed"), as: UTF8.self)
                .replacingOccurrences(of: #""actor":"test","#, with: "").utf8)
            for value in [twice, batch, mixed, malformed, twice, batch, mixed, marker] {
                try await producer.send([KafkaOutgoingMessage(topic: Topics.audit, key: run.key, value: value)])
            }
            let arrived = try await api.eventually { try await api.audit(run: run, tenant: "acme").contains { $0.action == "test.marker" } }
            #expect(arrived)
            let stored = try await api.audit(run: run, tenant: "acme")
            #expect(stored.filter { $0.action == "test.redelivered" }.count == 1)
            #expect(stored.filter { $0.action == "test.batch" }.map { $0.details["n"] ?? "" } == ["1", "2", "3"],
                    "each record of a batch stored once, in order, with its own time")
            #expect(!stored.contains { $0.action == "test.malformed" })
            let mixedHere = stored.filter { $0.action == "test.mixed" }
            #expect(mixedHere.map(\.seq) == [0, 1, 3] && mixedHere.allSatisfy { $0.messageId == mixedID && $0.details["n"] == String($0.seq) },
                    "\(mixedHere)")
            let mixedThere = try await api.audit(run: other, tenant: "acme")
            #expect(mixedThere.map { "\($0.messageId) \($0.seq) \($0.action)" } == ["\(mixedID) 2 test.mixed"])
            let database = PostgresClient(configuration: PostgresConfiguration(connectionString: stack.databaseURL, poolSize: 1),
                                          logger: Logger(label: "audit-dead-letters", level: .warning))
            let parked = try await database.transaction { connection in
                try connection.query("SELECT error FROM dead_letters WHERE topic = $1", [Topics.audit]).map { try $0.string("error") }
            }
            await database.close()
            #expect(parked.count == 1 && parked.allSatisfy { $0.contains("actor") }, "\(parked)")
        }

        @Test func fanOutFanInForTwoTenantsAtOnce() async throws {
            try await Stack.withIsolated(name: "fanout") { stack in
                let api = StackAPI(stack)
                let tenants = ["acme", "globex"]
                var runs: [String: UUID] = [:]
                for tenant in tenants {
                    let file = stack.configuration.root.appendingPathComponent("\(tenant).out").path
                    try await api.apply(Workflows.fanOutFanIn(name: "fan", width: 48, file: file), tenant: tenant)
                }
                for tenant in tenants { runs[tenant] = try await api.start("fan", tenant: tenant) }
                for tenant in tenants {
                    guard let id = runs[tenant] else { continue }
                    let run = try await api.waitForRun(id, tenant: tenant)
                    #expect(run.state == "succeeded")
                    #expect(run.tasks.count == 50 && run.tasks.allSatisfy { $0.state == "succeeded" })
                    let lines = recordedLines(stack.configuration.root.appendingPathComponent("\(tenant).out").path)
                    #expect(lines.count == 50 && Set(lines).count == 50 && lines.allSatisfy { $0.hasSuffix(" \(tenant)") })
                    #expect(lines.first?.hasPrefix("start ") == true && lines.last?.hasPrefix("end ") == true)
                    // The other tenant cannot see this run.
                    let other = tenants.first { $0 != tenant } ?? "nobody"
                    let response = try await api.call("GET", "dependency-resolver", "/v1/runs/\(id.uuidString)", tenant: other)
                    #expect(response.status == 404)
                }
            }
        }

        @Test func failingTaskFailsRunSkipsDownstreamAndAlertsWebhook() async throws {
            let receiver = try WebhookReceiver()
            defer { receiver.stop() }
            try await Stack.withIsolated(name: "failing") { stack in
                let api = StackAPI(stack)
                let route = try WireCoding.encode(["webhookUrl": receiver.url])
                let set = try await api.call("PUT", "notifier", "/v1/alert-routes", tenant: "acme", body: route)
                #expect(set.status == 200)
                try await api.apply(Workflows.definition(name: "breaks", tasks: [
                    ("prepare", "true", []),
                    ("explode", "echo boom >&2; exit 3", ["prepare"]),
                    ("after-explode", "true", ["explode"]),
                    ("much-later", "true", ["after-explode"]),
                    ("independent", "true", ["prepare"]),
                ]), tenant: "acme")
                let id = try await api.start("breaks", tenant: "acme")
                let run = try await api.waitForRun(id, tenant: "acme")
                let states = Dictionary(uniqueKeysWithValues: run.tasks.map { ($0.id, $0.state) })
                #expect(run.state == "failed")
                #expect(states == ["prepare": "succeeded", "explode": "failed", "after-explode": "upstream_failed",
                                   "much-later": "upstream_failed", "independent": "succeeded"])
                #expect(run.tasks.first { $0.id == "explode" }?.exitCode == 3)
                let alerted = try await api.eventually { !receiver.received.isEmpty }
                #expect(alerted, "the tenant's webhook received the alert")
                let alert = try receiver.received.first.map { try WireCoding.decode([String: JSONValue].self, from: $0) }
                #expect(alert?["kind"] == .string("run.failed"))
                #expect(alert?["tenant"] == .string("acme"))
                #expect(alert?["runId"] == .string(id.uuidString))
            }
        }

        @Test func invalidDefinitionsAreRejectedWithTheProblemAndNothingIsStored() async throws {
            try await Stack.withIsolated(name: "invalid", agents: 1) { stack in
                let api = StackAPI(stack)
                let cases = [
                    (#"{"name": "x", "tasks": [{"id": "a", "run": "true"}"#, "malformed JSON"),
                    (#"{"name": "x", "tasks": [{"id": "a", "run": "true", "retries": 2}]}"#, "unknown field 'retries'"),
                    (#"{"name": "x", "tasks": [{"id": "a", "run": "true"}, {"id": "a", "run": "true"}]}"#, "duplicate task id 'a'"),
                    (#"{"name": "x", "tasks": [{"id": "a", "run": "true", "after": ["z"]}]}"#, "'z', which is not a task"),
                    (#"{"name": "x", "tasks": [{"id": "a", "run": "true", "after": ["b"]}, {"id": "b", "run": "true", "after": ["a"]}]}"#, "cycle in 'after'"),
                    (#"{"name": "x", "tasks": [{"id": "a", "run": ""}]}"#, "field 'run' is empty"),
                ]
                for (body, problem) in cases {
                    let response = try await api.call("POST", "trigger-service", "/v1/workflows", tenant: "acme", body: Array(body.utf8))
                    let text = String(decoding: response.body, as: UTF8.self)
                    #expect(response.status == 400, "\(body)")
                    #expect(text.contains(problem), "\(text) should name \(problem)")
                }
                let list = try await api.call("GET", "trigger-service", "/v1/workflows", tenant: "acme")
                #expect(String(decoding: list.body, as: UTF8.self) == #"{"workflows":[]}"#)
                let unknown = try await api.call("POST", "trigger-service", "/v1/runs", tenant: "acme", body: Array(#"{"workflow": "x"}"#.utf8))
                #expect(unknown.status == 404)
            }
        }
    }

    @Suite struct WorkflowVersionTests {
        @Test func reapplyingIdenticalDefinitionKeepsTheVersionAndAChangeAddsOne() async throws {
            try await Stack.withIsolated(name: "versions", agents: 1) { stack in
                let api = StackAPI(stack)
                struct Applied: Codable { let version: Int; let created: Bool }
                let definition = #"{"name": "v", "tasks": [{"id": "a", "run": "true", "env": {"A": "1", "B": "2", "C": "3", "D": "4"}}]}"#
                let reordered = #"{"tasks": [{"env": {"D": "4", "C": "3", "B": "2", "A": "1"}, "run": "true", "id": "a"}], "name": "v"}"#
                let first = try await api.decode(Applied.self, "POST", "trigger-service", "/v1/workflows", tenant: "acme", body: Array(definition.utf8))
                #expect(first.version == 1 && first.created)
                await stack.kill("trigger-service")
                try await stack.start("trigger-service")
                let again = try await api.decode(Applied.self, "POST", "trigger-service", "/v1/workflows", tenant: "acme", body: Array(reordered.utf8))
                #expect(again.version == 1 && !again.created, "same definition, another process: no new version")
                let changed = definition.replacingOccurrences(of: #""run": "true""#, with: #""run": "false""#)
                let next = try await api.decode(Applied.self, "POST", "trigger-service", "/v1/workflows", tenant: "acme", body: Array(changed.utf8))
                #expect(next.version == 2 && next.created)
            }
        }
    }
}
