import Contracts
import Foundation
import LocalStack
import Testing

extension Integration {
    /// The workflow engine end to end: trigger rules, conditions, switches, parameters and
    /// templates, retries, sub-workflows, cross-workflow waits and operators' controls.
    @Suite struct EngineTests {
        @Test func triggerRulesConditionsSwitchAndTemplates() async throws {
            try await Stack.withIsolated(name: "engine-rules", agents: 1) { stack in
                let engine = EngineAPI(api: StackAPI(stack), tenant: "acme")
                let out = stack.configuration.root.appendingPathComponent("out").path
                try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
                let undeclared = try await engine.apply(#"{"name": "bad", "tasks": [{"id": "a", "run": "echo {{params.nope}}"}]}"#)
                #expect(undeclared.status == 400 && undeclared.text.contains("params.nope"), "\(undeclared.text)")
                let definition = """
                    {"name": "flow", "params": {"region": "eu", "label": {"description": "required"}},
                     "tasks": [
                      {"id": "announce", "run": "echo '{{params.label}} {{run.workflow}} {{task.attempt}} {{run.tenant}}' > \(out)/announce", "cwd": "\(out)"},
                      {"id": "eu_only", "run": "true", "when": "params.region == 'eu'"},
                      {"id": "us_only", "run": "true", "when": "params.region == 'us'"},
                      {"id": "after_us", "run": "true", "after": ["us_only"]},
                      {"id": "no_skip", "run": "true", "after": ["after_us"], "triggerRule": "noneSkipped"},
                      {"id": "cleanup", "run": "true", "after": ["eu_only", "us_only"], "triggerRule": "allDone"},
                      {"id": "route", "switch": {"cases": [{"when": "params.region == 'eu'", "goto": "eu_branch"}], "default": "us_branch"}},
                      {"id": "eu_branch", "run": "true", "after": ["route"]},
                      {"id": "us_branch", "run": "true", "after": ["route"]},
                      {"id": "merge", "run": "true", "after": ["eu_branch", "us_branch"], "triggerRule": "noneFailed"},
                      {"id": "boom", "run": "exit 3"},
                      {"id": "after_boom", "run": "true", "after": ["boom"]},
                      {"id": "on_failure", "run": "true", "after": ["boom", "announce"], "triggerRule": "oneFailed"},
                      {"id": "all_failed", "run": "true", "after": ["boom"], "triggerRule": "allFailed"},
                      {"id": "always", "run": "true", "after": ["boom"], "triggerRule": "always"},
                      {"id": "one_success", "run": "true", "after": ["us_only", "eu_only"], "triggerRule": "oneSuccess"}
                     ]}
                    """
                #expect(try await engine.apply(definition).status == 201)
                let missing = try await engine.api.call("POST", "trigger-service", "/v1/runs", tenant: "acme",
                                                         body: Array(#"{"workflow": "flow"}"#.utf8))
                #expect(missing.status == 400 && String(decoding: missing.body, as: UTF8.self).contains("label"),
                        "a missing required parameter is refused at trigger time")
                let id = try await engine.start("flow", ["label": "L1"])
                let run = try await engine.wait(id)
                #expect(run.state == "failed")
                #expect(run.parameters == ["label": "L1", "region": "eu"], "defaults are filled in at trigger time")
                #expect(run.states == [
                    "announce": "succeeded", "eu_only": "succeeded", "us_only": "skipped", "after_us": "skipped", "no_skip": "skipped",
                    "cleanup": "succeeded", "route": "succeeded", "eu_branch": "succeeded", "us_branch": "skipped", "merge": "succeeded",
                    "boom": "failed", "after_boom": "upstream_failed", "on_failure": "succeeded", "all_failed": "succeeded",
                    "always": "succeeded", "one_success": "succeeded",
                ])
                #expect(run.task("us_only")?.reason?.contains("condition is false") == true)
                #expect(run.task("route")?.reason == "chose eu_branch")
                let announced = try String(contentsOfFile: "\(out)/announce", encoding: .utf8)
                #expect(announced == "L1 flow 1 acme\n")
            }
        }

        @Test func retriesBackOffAndStopAtNonRetryableCodes() async throws {
            try await Stack.withIsolated(name: "engine-retry", agents: 1) { stack in
                let engine = EngineAPI(api: StackAPI(stack), tenant: "acme")
                let marker = stack.configuration.root.appendingPathComponent("flaky.marker").path
                let definition = """
                    {"name": "retry", "tasks": [
                      {"id": "flaky", "run": "if [ -f \(marker) ]; then exit 0; fi; touch \(marker); exit 1",
                       "retry": {"limit": 3, "delay": "1s"}},
                      {"id": "hopeless", "run": "exit 7", "retry": {"limit": 2, "delay": "1s", "backoff": "exponential", "maxDelay": "2s"}},
                      {"id": "bad_input", "run": "exit 2", "retry": {"limit": 5, "delay": "1s", "nonRetryableExitCodes": [2]}},
                      {"id": "downstream", "run": "true", "after": ["flaky"]}
                    ]}
                    """
                #expect(try await engine.apply(definition).status == 201)
                let id = try await engine.start("retry")
                let run = try await engine.wait(id)
                #expect(run.state == "failed")
                #expect(run.task("flaky")?.state == "succeeded" && run.task("flaky")?.failures == 1 && run.task("flaky")?.attempt == 2)
                #expect(run.task("downstream")?.state == "succeeded")
                #expect(run.task("hopeless")?.state == "failed" && run.task("hopeless")?.failures == 3 && run.task("hopeless")?.attempt == 3)
                #expect(run.task("bad_input")?.state == "failed" && run.task("bad_input")?.failures == 1, "exit 2 is not retried")
                let audited = try await engine.api.eventually {
                    try await engine.api.audit(run: id, tenant: "acme").filter { $0.action == "task.retrying" }.count == 3
                }
                #expect(audited, "each retry is audited")
            }
        }

        @Test func subWorkflowRunsAndReportsBack() async throws {
            try await Stack.withIsolated(name: "engine-sub", agents: 1) { stack in
                let engine = EngineAPI(api: StackAPI(stack), tenant: "acme")
                let out = stack.configuration.root.appendingPathComponent("child.out").path
                #expect(try await engine.apply("""
                    {"name": "child", "params": {"who": {}, "fail": "no"}, "tasks": [
                      {"id": "greet", "run": "echo hello {{params.who}} >> \(out)"},
                      {"id": "maybe_fail", "run": "test {{params.fail}} = no", "after": ["greet"]}
                    ]}
                    """).status == 201)
                #expect(try await engine.apply("""
                    {"name": "parent", "params": {"name": "world", "fail": "no"}, "tasks": [
                      {"id": "call", "workflow": {"name": "child", "parameters": {"who": "{{params.name}}", "fail": "{{params.fail}}"}}},
                      {"id": "after_call", "run": "true", "after": ["call"]}
                    ]}
                    """).status == 201)
                let good = try await engine.wait(try await engine.start("parent", ["name": "ops"]))
                #expect(good.state == "succeeded" && good.task("after_call")?.state == "succeeded")
                let child = try #require(good.task("call")?.childRun)
                let childRun = try await engine.run(child)
                #expect(childRun.state == "succeeded" && childRun.parentRun == good.id && childRun.parentTask == "call")
                #expect(recordedLines(out) == ["hello ops"])
                let bad = try await engine.wait(try await engine.start("parent", ["fail": "yes"]))
                #expect(bad.state == "failed")
                #expect(bad.task("call")?.state == "failed" && bad.task("call")?.reason?.contains("sub-workflow run") == true)
                #expect(bad.task("after_call")?.state == "upstream_failed")
            }
        }

        @Test func crossWorkflowWaitIsReleasedByTheUpstreamRunAndTimesOut() async throws {
            try await Stack.withIsolated(name: "engine-wait", agents: 1) { stack in
                let engine = EngineAPI(api: StackAPI(stack), tenant: "acme")
                #expect(try await engine.apply(#"{"name": "ingest", "tasks": [{"id": "load", "run": "true"}]}"#).status == 201)
                #expect(try await engine.apply("""
                    {"name": "report", "tasks": [
                      {"id": "prepare", "run": "true"},
                      {"id": "publish", "run": "true", "after": ["prepare"], "waitFor": [{"workflow": "ingest", "timeout": "10m"}]}
                    ]}
                    """).status == 201)
                #expect(try await engine.apply("""
                    {"name": "lonely", "waitFor": [{"workflow": "never", "within": "1h", "timeout": "2s"}],
                     "tasks": [{"id": "wait", "run": "true"}, {"id": "next", "run": "true", "after": ["wait"]}]}
                    """).status == 201)
                let report = try await engine.start("report")
                let waiting = try await engine.wait(report, task: "publish", state: "waiting")
                #expect(waiting.state == "running")
                let ingest = try await engine.wait(try await engine.start("ingest"))
                #expect(ingest.state == "succeeded")
                let released = try await engine.wait(report)
                #expect(released.state == "succeeded")
                // A run of report started now finds today's ingest run at once.
                let again = try await engine.wait(try await engine.start("report"))
                #expect(again.state == "succeeded")
                let lonely = try await engine.wait(try await engine.start("lonely"))
                #expect(lonely.state == "failed")
                #expect(lonely.task("wait")?.reason?.contains("dependency timeout") == true)
                #expect(lonely.task("next")?.state == "upstream_failed")
                struct Impact: Codable { struct Entry: Codable { let workflow: String; let tasks: [String] }; let entries: [Entry] }
                let impact = try await engine.api.decode(Impact.self, "GET", "dependency-resolver", "/v1/runs/\(ingest.id.key)/impact?task=load",
                                                         tenant: "acme")
                #expect(impact.entries.map(\.workflow) == ["ingest", "report"])
                #expect(impact.entries.last?.tasks == ["publish"])
            }
        }

        @Test func rerunPauseResumeAndMarkByHandAreAuditedWithWho() async throws {
            try await Stack.withIsolated(name: "engine-controls", agents: 1) { stack in
                let engine = EngineAPI(api: StackAPI(stack), tenant: "acme")
                let gate = stack.configuration.root.appendingPathComponent("gate").path
                let out = stack.configuration.root.appendingPathComponent("controls.out").path
                #expect(try await engine.apply("""
                    {"name": "gated", "tasks": [
                      {"id": "a", "run": "echo a >> \(out)"},
                      {"id": "b", "run": "test -f \(gate) && echo b >> \(out)", "after": ["a"]},
                      {"id": "c", "run": "echo c >> \(out)", "after": ["b"]}
                    ]}
                    """).status == 201)
                let id = try await engine.start("gated")
                let failed = try await engine.wait(id)
                #expect(failed.state == "failed" && failed.states == ["a": "succeeded", "b": "failed", "c": "upstream_failed"])
                #expect(try await engine.control(id, "pause") == 409, "a finished run cannot be paused")
                _ = FileManager.default.createFile(atPath: gate, contents: nil)
                #expect(try await engine.control(id, "rerun", body: #"{"mode": "failed"}"#) == 202)
                let rerun = try await engine.wait(id, for: ["succeeded"])
                #expect(rerun.states.values.allSatisfy { $0 == "succeeded" } && rerun.reruns == 1)
                #expect(recordedLines(out) == ["a", "b", "c"], "only the failed and skipped tasks ran again")
                #expect(try await engine.control(id, "rerun", body: #"{"mode": "from", "task": "b"}"#) == 202)
                _ = try await engine.api.eventually { try await engine.run(id).reruns == 2 }
                #expect(try await engine.wait(id, for: ["succeeded"]).state == "succeeded")
                #expect(recordedLines(out) == ["a", "b", "c", "b", "c"])

                // Pause holds tasks that become ready; resume releases them.
                #expect(try await engine.apply("""
                    {"name": "slow", "tasks": [{"id": "first", "run": "sleep 2"}, {"id": "second", "run": "true", "after": ["first"]}]}
                    """).status == 201)
                let slow = try await engine.start("slow")
                _ = try await engine.wait(slow, task: "first", state: "running")
                #expect(try await engine.control(slow, "pause") == 202)
                let held = try await engine.wait(slow, task: "second", state: "held")
                #expect(held.state == "paused")
                #expect(try await engine.control(slow, "resume") == 202)
                #expect(try await engine.wait(slow).state == "succeeded")

                // Marking a failed task succeeded in a finished run runs what is downstream of it.
                try FileManager.default.removeItem(atPath: gate)
                let broken = try await engine.wait(try await engine.start("gated"))
                #expect(broken.state == "failed")
                #expect(try await engine.control(broken.id, "tasks/b/mark", body: #"{"state": "succeeded"}"#) == 202)
                let marked = try await engine.wait(broken.id, for: ["succeeded"])
                #expect(marked.task("b")?.finishedBy != nil && marked.task("c")?.state == "succeeded")
                let audited = try await engine.api.eventually {
                    let records = try await engine.api.audit(run: id, tenant: "acme")
                    return records.contains { $0.action == "run.rerunFailed" && $0.actor != "dependency-resolver" }
                        && records.contains { $0.action == "run.rerunFrom" }
                }
                #expect(audited, "reruns are audited with who asked")
            }
        }

        @Test func historyShowsVersionsWithDiffsAndTheCLIDrivesControls() async throws {
            try await Stack.withIsolated(name: "engine-cli", agents: 1) { stack in
                let engine = EngineAPI(api: StackAPI(stack), tenant: "acme")
                #expect(try await engine.apply(#"{"name": "h", "tasks": [{"id": "a", "run": "exit 1"}, {"id": "b", "run": "true", "after": ["a"]}]}"#).status == 201)
                let first = try await engine.wait(try await engine.start("h"))
                #expect(try await engine.apply(#"{"name": "h", "tasks": [{"id": "a", "run": "true"}, {"id": "b", "run": "true", "after": ["a"]}]}"#).status == 201)
                let history = try engine.api.cli(["workflow", "history", "h"])
                #expect(history.contains("version 2") && history.contains("version 1"))
                let lines = history.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
                #expect(lines.contains { $0.hasPrefix("-") && $0.hasSuffix(#""run" : "exit 1""#) }, "\(history)")
                #expect(lines.contains { $0.hasPrefix("+") && $0.hasSuffix(#""run" : "true""#) }, "\(history)")
                // The first run stays pinned to version 1, so a rerun fails the same way.
                _ = try engine.api.cli(["run", "rerun", first.id.key, "--failed"])
                _ = try await engine.api.eventually { try await engine.run(first.id).reruns == 1 }
                let rerun = try await engine.wait(first.id)
                #expect(rerun.state == "failed" && rerun.task("a")?.state == "failed", "runs pin the version they started with")
                let impact = try engine.api.cli(["run", "impact", first.id.key, "a"])
                #expect(impact.contains("task a") && impact.contains("b"))
                _ = try engine.api.cli(["run", "mark", first.id.key, "a", "succeeded"])
                #expect(try await engine.wait(first.id, for: ["succeeded"]).task("b")?.state == "succeeded")
            }
        }

        @Test func outputsTimeoutsCancelAndDeadlines() async throws {
            let receiver = try WebhookReceiver()
            defer { receiver.stop() }
            try await Stack.withIsolated(name: "engine-stop", agents: 1) { stack in
                let engine = EngineAPI(api: StackAPI(stack), tenant: "acme")
                let root = stack.configuration.root.path
                let route = try WireCoding.encode(["webhookUrl": receiver.url])
                #expect(try await engine.api.call("PUT", "notifier", "/v1/alert-routes", tenant: "acme", body: route).status == 200)
                #expect(try await engine.apply("""
                    {"name": "produce", "tasks": [
                      {"id": "extract", "run": "echo rows=42 >> \\"$WL_OUTPUT\\"; echo name=daily >> \\"$WL_OUTPUT\\""},
                      {"id": "load", "after": ["extract"], "when": "tasks.extract.outputs.rows > 0",
                       "run": "echo {{tasks.extract.outputs.name}} > \(root)/load.out"},
                      {"id": "nothing_to_do", "after": ["extract"], "when": "tasks.extract.outputs.rows == 0", "run": "true"},
                      {"id": "slow", "run": "sleep 30", "timeout": "1s"}
                    ]}
                    """).status == 201)
                let produced = try await engine.wait(try await engine.start("produce"))
                #expect(produced.task("extract")?.outputs == ["rows": "42", "name": "daily"])
                #expect(produced.states["load"] == "succeeded" && produced.states["nothing_to_do"] == "skipped")
                #expect((try? String(contentsOfFile: "\(root)/load.out", encoding: .utf8)) == "daily\n")
                #expect(produced.task("slow")?.state == "failed" && produced.task("slow")?.reason == "timeout")

                // A run timeout and a cancel both kill the running process.
                #expect(try await engine.apply("""
                    {"name": "stuck", "timeout": "2s", "tasks": [{"id": "hang", "run": "echo $$ > \(root)/stuck.pid; exec sleep 60"}]}
                    """).status == 201)
                let stuck = try await engine.wait(try await engine.start("stuck"))
                #expect(stuck.state == "failed" && stuck.reason?.contains("run timeout") == true)
                #expect(try await processGone(pidFile: "\(root)/stuck.pid", engine), "the run timeout killed the task's process")
                #expect(try await engine.apply("""
                    {"name": "cancel-me", "deadline": {"after": "1s"}, "tasks": [{"id": "hang", "run": "echo $$ > \(root)/cancel.pid; exec sleep 60"}]}
                    """).status == 201)
                let cancelled = try await engine.start("cancel-me")
                _ = try await engine.wait(cancelled, task: "hang", state: "running")
                let missed = try await engine.api.eventually {
                    receiver.received.contains { String(decoding: $0, as: UTF8.self).contains("deadline.missed") }
                }
                #expect(missed, "the missed deadline was alerted")
                let cancel = try await engine.api.call("POST", "trigger-service", "/v1/runs/\(cancelled.key)/cancel", tenant: "acme")
                #expect(cancel.status == 202)
                #expect(try await engine.wait(cancelled).state == "cancelled")
                #expect(try await processGone(pidFile: "\(root)/cancel.pid", engine), "cancel killed the task's process")
            }
        }

        /// A 1,000-wide fan-out and fan-in through the real pipeline: the join starts once, after
        /// all 1,000 (the engine's O(edges touched) tallies; the 10,000-task DAGs are proven in
        /// AdvanceScaleTests without processes).
        @Test func thousandWideFanOutAndFanIn() async throws {
            try await Stack.withIsolated(name: "engine-wide") { stack in
                let engine = EngineAPI(api: StackAPI(stack), tenant: "acme")
                let middle = (0..<1_000).map { "m\($0)" }
                let definition = Workflows.definition(name: "wide", tasks: [("start", "true", [])] + middle.map { ($0, "true", ["start"]) }
                    + [("join", "true", middle)])
                #expect(try await engine.apply(definition).status == 201)
                let run = try await engine.wait(try await engine.start("wide"), timeout: .seconds(240))
                #expect(run.state == "succeeded")
                #expect(run.tasks.count == 1_002 && run.tasks.allSatisfy { $0.state == "succeeded" && $0.attempt == 1 })
            }
        }

        /// A 10,002-task DAG (a root, 100 chains of 100 tasks, a join) through the real pipeline.
        @Test func tenThousandTaskDAG() async throws {
            try await Stack.withIsolated(name: "engine-10k") { stack in
                let engine = EngineAPI(api: StackAPI(stack), tenant: "acme")
                var tasks: [(id: String, run: String, after: [String])] = [("root", "true", [])]
                for chain in 0..<100 {
                    for link in 0..<100 { tasks.append(("c\(chain)l\(link)", "true", [link == 0 ? "root" : "c\(chain)l\(link - 1)"])) }
                }
                tasks.append(("join", "true", (0..<100).map { "c\($0)l99" }))
                #expect(try await engine.apply(Workflows.definition(name: "huge", tasks: tasks)).status == 201)
                let run = try await engine.wait(try await engine.start("huge"), timeout: .seconds(400))
                #expect(run.state == "succeeded")
                #expect(run.tasks.count == 10_002 && run.tasks.allSatisfy { $0.state == "succeeded" })
            }
        }

        /// The workflows `make demo` runs succeed (examples/*.json).
        @Test func exampleWorkflowsSucceed() async throws {
            let examples = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent().appendingPathComponent("examples")
            try await Stack.withIsolated(name: "engine-examples") { stack in
                let engine = EngineAPI(api: StackAPI(stack), tenant: "acme")
                for file in ["nightly-report", "fan-out"] {
                    let text = try String(contentsOf: examples.appendingPathComponent("\(file).json"), encoding: .utf8)
                    #expect(try await engine.apply(text).status == 201)
                    let run = try await engine.wait(try await engine.start(file))
                    #expect(run.state == "succeeded", "\(file): \(run.states)")
                }
            }
        }

        /// True once the pid in `pidFile` names no live process (a zombie counts as gone).
        private func processGone(pidFile: String, _ engine: EngineAPI) async throws -> Bool {
            let text = try String(contentsOfFile: pidFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
            return try await engine.api.eventually(timeout: .seconds(15)) {
                guard let stat = try? String(contentsOfFile: "/proc/\(text)/stat", encoding: .utf8) else { return true }
                return stat.split(separator: " ").dropFirst(2).first == "Z"
            }
        }
    }
}
