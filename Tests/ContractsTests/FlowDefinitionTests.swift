import Contracts
import Testing

/// The workflow-engine fields of a definition: parsing, the checks of everything that names
/// something, backward-compatible encoding, and parameter resolution at trigger time.
@Suite struct FlowDefinitionTests {
    private static func parse(_ json: String) throws(DefinitionError) -> WorkflowDefinition {
        try WorkflowDefinition.parse(Array(json.utf8))
    }

    private static func rejection(_ json: String) -> String {
        do {
            _ = try parse(json)
            return "accepted"
        } catch { return error.message }
    }

    static let everyField = """
        {"name": "etl",
         "params": {"region": "eu", "day": {"default": 3, "description": "day of month"},
                    "token": {"description": "must be given"}, "dry": {"default": true}},
         "timeout": "6h",
         "deadline": {"at": "06:00", "timezone": "Europe/Berlin", "warnBefore": "30m"},
         "waitFor": [{"workflow": "ingest", "timezone": "Europe/Berlin", "timeout": "2h"}],
         "tasks": [
           {"id": "extract", "run": "extract --region={{ params.region }}", "cwd": "/data/{{ params.region }}",
            "env": {"TOKEN": "{{ params.token }}"}, "pool": "etl",
            "retry": {"limit": 3, "delay": "30s", "backoff": "exponential", "maxDelay": "10m", "jitter": 0.5,
                      "nonRetryableExitCodes": [2, 64]},
            "timeout": "30m"},
           {"id": "route", "after": ["extract"], "when": "params.region != 'none'",
            "switch": {"cases": [{"when": "tasks.extract.outputs.rows > 0", "goto": "load"},
                                 {"when": "params.dry == true", "goto": ["report", "load"]}],
                       "default": ["report"]}},
           {"id": "load", "after": ["route"], "run": ["load", "{{ tasks.extract.outputs.file }}"],
            "waitFor": [{"workflow": "dims", "within": "2h", "timeout": "1h"}]},
           {"id": "report", "after": ["route"], "triggerRule": "noneFailed",
            "workflow": {"name": "reporting", "parameters": {"day": "{{ params.day }}", "run": "{{ run.id }}"}}},
           {"id": "cleanup", "after": ["load", "report"], "triggerRule": "allDone", "run": "cleanup", "retry": {"limit": 0}}
         ]}
        """

    @Test func parsesEveryNewField() throws {
        let definition = try Self.parse(Self.everyField)
        #expect(definition.params == [
            "region": ParameterDefinition(default: "eu"),
            "day": ParameterDefinition(default: "3", description: "day of month"),
            "token": ParameterDefinition(default: nil, description: "must be given"),
            "dry": ParameterDefinition(default: "true"),
        ])
        #expect(definition.params["token"]?.isRequired == true && definition.params["region"]?.isRequired == false)
        #expect(definition.timeout == "6h" && definition.timeoutSeconds == 21_600)
        #expect(definition.deadline == DeadlineDefinition(at: "06:00", timezone: "Europe/Berlin", warnBefore: "30m"))
        #expect(definition.deadline?.warnBeforeSeconds == 1_800)
        #expect(definition.waitFor == [WorkflowDependency(workflow: "ingest", timezone: "Europe/Berlin", timeout: "2h")])
        #expect(definition.waitFor.first?.timeoutSeconds == 7_200)

        let tasks = definition.tasks
        try #require(tasks.count == 5)
        let extract = tasks[0]
        #expect(extract.run == .shell("extract --region={{ params.region }}"))
        #expect(extract.cwd == "/data/{{ params.region }}")
        #expect(extract.env == ["TOKEN": "{{ params.token }}"] && extract.pool == "etl")
        #expect(extract.triggerRule == .allSuccess && extract.when == nil)
        #expect(extract.retry == RetryPolicy(limit: 3, delaySeconds: 30, backoff: .exponential, maxDelaySeconds: 600, jitter: 0.5,
                                             nonRetryableExitCodes: [2, 64]))
        #expect(extract.timeout == "30m" && extract.timeoutSeconds == 1_800)

        let route = tasks[1]
        #expect(route.run == nil && route.workflow == nil)
        #expect(route.when == "params.region != 'none'")
        #expect(route.switchCases == SwitchDefinition(cases: [
            .init(when: "tasks.extract.outputs.rows > 0", goto: ["load"]),
            .init(when: "params.dry == true", goto: ["report", "load"]),
        ], default: ["report"]))

        let load = tasks[2]
        #expect(load.run == .argv(["load", "{{ tasks.extract.outputs.file }}"]))
        #expect(load.waitFor == [WorkflowDependency(workflow: "dims", within: "2h", timeout: "1h")])
        #expect(load.waitFor.first?.withinSeconds == 7_200 && load.waitFor.first?.timeoutSeconds == 3_600)

        let report = tasks[3]
        #expect(report.triggerRule == .noneFailed && report.run == nil)
        #expect(report.workflow == SubWorkflowDefinition(name: "reporting", parameters: ["day": "{{ params.day }}", "run": "{{ run.id }}"]))

        let cleanup = tasks[4]
        #expect(cleanup.triggerRule == .allDone && cleanup.retry == RetryPolicy(limit: 0))
    }

    @Test func defaultsOfTheNewFields() throws {
        let definition = try Self.parse(#"{"name": "x", "tasks": [{"id": "a", "run": "true"}]}"#)
        #expect(definition.params.isEmpty && definition.waitFor.isEmpty)
        #expect(definition.timeout == nil && definition.deadline == nil)
        let task = try #require(definition.tasks.first)
        #expect(task.triggerRule == .allSuccess && task.when == nil && task.switchCases == nil && task.workflow == nil)
        #expect(task.waitFor.isEmpty && task.retry == nil && task.timeout == nil && task.cwd == nil)
        #expect(task.waitFor.isEmpty)
        #expect(WorkflowDependency(workflow: "w").timeoutSeconds == WorkflowDependency.defaultTimeoutSeconds)
    }

    @Test func retryDefaultsDependOnTheBackoff() throws {
        let definition = try Self.parse("""
            {"name": "x", "tasks": [
              {"id": "a", "run": "true", "retry": {"limit": 2}},
              {"id": "b", "run": "true", "retry": {"limit": 2, "backoff": "exponential"}}]}
            """)
        #expect(definition.tasks[0].retry == RetryPolicy(limit: 2))
        #expect(definition.tasks[1].retry == RetryPolicy(limit: 2, backoff: .exponential, jitter: 0.2))
    }

    @Test func deadlineAfterFromStart() throws {
        let definition = try Self.parse("""
            {"name": "x", "deadline": {"after": "2h30m", "from": "start"}, "tasks": [{"id": "a", "run": "true"}]}
            """)
        #expect(definition.deadline == DeadlineDefinition(after: "2h30m", from: .start))
        #expect(definition.deadline?.warnBeforeSeconds == DeadlineDefinition.defaultWarnBeforeSeconds)
    }

    @Test(arguments: TriggerRule.allCases) func everyTriggerRuleParses(_ rule: TriggerRule) throws {
        let definition = try Self.parse("""
            {"name": "x", "tasks": [{"id": "a", "run": "true"}, {"id": "b", "run": "true", "after": ["a"], "triggerRule": "\(rule.rawValue)"}]}
            """)
        #expect(definition.tasks[1].triggerRule == rule)
    }

    @Test func switchGotoAcceptsASingleIDOrAList() throws {
        let definition = try Self.parse("""
            {"name": "x", "tasks": [
              {"id": "s", "switch": {"cases": [{"when": "true", "goto": "a"}], "default": "b"}},
              {"id": "a", "run": "true", "after": ["s"]}, {"id": "b", "run": "true", "after": ["s"]}]}
            """)
        #expect(definition.tasks[0].switchCases == SwitchDefinition(cases: [.init(when: "true", goto: ["a"])], default: ["b"]))
    }

    // MARK: - Rejections

    struct Rejection: Sendable, CustomTestStringConvertible {
        let name: String
        let json: String
        /// Every fragment must appear in the message.
        let fragments: [String]
        var testDescription: String { name }
    }

    /// A workflow named "w" with these tasks and optional extra top-level fields.
    private static func workflow(_ tasks: String, _ extra: String = "") -> String {
        #"{"name": "w", \#(extra.isEmpty ? "" : extra + ", ")"tasks": [\#(tasks)]}"#
    }

    static let rejections: [Rejection] = [
        Rejection(name: "run and switch", json: workflow(#"{"id": "a", "run": "true", "switch": {"cases": [{"when": "true", "goto": "b"}]}}, {"id": "b", "run": "true", "after": ["a"]}"#),
                  fragments: ["task 'a'", "exactly one of 'run', 'switch' or 'workflow'", "(has run, switch)"]),
        Rejection(name: "run and workflow", json: workflow(#"{"id": "a", "run": "true", "workflow": {"name": "other"}}"#),
                  fragments: ["task 'a'", "exactly one of", "(has run, workflow)"]),
        Rejection(name: "none of run/switch/workflow", json: workflow(#"{"id": "a", "after": []}"#),
                  fragments: ["task 'a' must have exactly one of 'run', 'switch' or 'workflow'"]),
        Rejection(name: "unknown trigger rule", json: workflow(#"{"id": "a", "run": "true", "triggerRule": "anySuccess"}"#),
                  fragments: ["task 'a'", "'triggerRule'", "allSuccess", "'anySuccess'"]),
        Rejection(name: "bad when expression", json: workflow(#"{"id": "a", "run": "true", "when": "params.x =="}"#, #""params": {"x": "1"}"#),
                  fragments: ["task 'a'", "field 'when'"]),
        Rejection(name: "when naming an undeclared param", json: workflow(#"{"id": "a", "run": "true", "when": "params.region == 'eu'"}"#),
                  fragments: ["task 'a'", "field 'when'", "params.region", "not declared"]),
        Rejection(name: "run template naming an undeclared param", json: workflow(#"{"id": "a", "run": "echo {{ params.nope }}"}"#, #""params": {"x": "1"}"#),
                  fragments: ["task 'a'", "field 'run'", "params.nope", "not declared in 'params'"]),
        Rejection(name: "env template naming an undeclared param", json: workflow(#"{"id": "a", "run": "true", "env": {"X": "{{ params.nope }}"}}"#),
                  fragments: ["task 'a'", "env.X", "params.nope"]),
        Rejection(name: "unclosed template", json: workflow(#"{"id": "a", "run": "echo {{ params.x"}"#, #""params": {"x": "1"}"#),
                  fragments: ["task 'a'", "field 'run'", "never closed"]),
        Rejection(name: "output of a task that is not upstream", json: workflow(#"{"id": "a", "run": "true"}, {"id": "b", "run": "echo {{ tasks.a.outputs.rows }}"}"#),
                  fragments: ["task 'b'", "reads outputs of 'a'", "not upstream", "'after'"]),
        Rejection(name: "output of a downstream task", json: workflow(#"{"id": "a", "run": "true", "when": "tasks.b.outputs.k == 1"}, {"id": "b", "run": "true", "after": ["a"]}"#),
                  fragments: ["task 'a'", "field 'when'", "'b'", "not upstream"]),
        Rejection(name: "output of an unknown task", json: workflow(#"{"id": "a", "run": "true", "cwd": "/x/{{ tasks.ghost.outputs.dir }}"}"#),
                  fragments: ["task 'a'", "field 'cwd'", "'ghost'", "not a task of this workflow"]),
        Rejection(name: "sub-workflow parameter with an unknown output", json: workflow(#"{"id": "a", "workflow": {"name": "other", "parameters": {"p": "{{ tasks.ghost.outputs.v }}"}}}"#),
                  fragments: ["task 'a'", "workflow.parameters.p", "'ghost'"]),
        Rejection(name: "switch branch not a child", json: workflow(#"{"id": "s", "switch": {"cases": [{"when": "true", "goto": "c"}]}}, {"id": "c", "run": "true"}"#),
                  fragments: ["task 's'", "switch branch 'c'", "must list 's' in its 'after'"]),
        Rejection(name: "child of a switch that is not a branch", json: workflow(#"{"id": "s", "switch": {"cases": [{"when": "true", "goto": "a"}]}}, {"id": "a", "run": "true", "after": ["s"]}, {"id": "b", "run": "true", "after": ["s"]}"#),
                  fragments: ["task 's'", "task 'b' comes after the switch but is not one of its branches"]),
        Rejection(name: "switch without cases", json: workflow(#"{"id": "s", "switch": {"cases": []}}"#),
                  fragments: ["task 's'", "'cases' must list at least one"]),
        Rejection(name: "bad switch case condition", json: workflow(#"{"id": "s", "switch": {"cases": [{"when": "(", "goto": "a"}]}}, {"id": "a", "run": "true", "after": ["s"]}"#),
                  fragments: ["task 's'", "switch.cases[0].when"]),
        Rejection(name: "task waiting for its own workflow", json: workflow(#"{"id": "a", "run": "true", "waitFor": [{"workflow": "w"}]}"#),
                  fragments: ["task 'a'", "cannot wait for itself"]),
        Rejection(name: "workflow waiting for itself", json: workflow(#"{"id": "a", "run": "true"}"#, #""waitFor": [{"workflow": "w"}]"#),
                  fragments: ["field 'waitFor'", "cannot wait for itself"]),
        Rejection(name: "sub-workflow of itself", json: workflow(#"{"id": "a", "workflow": {"name": "w"}}"#),
                  fragments: ["task 'a'", "cannot run itself as a sub-workflow"]),
        Rejection(name: "retry without limit", json: workflow(#"{"id": "a", "run": "true", "retry": {"delay": "10s"}}"#),
                  fragments: ["task 'a'", "field 'retry'", "'limit'", "required"]),
        Rejection(name: "retry limit too high", json: workflow(#"{"id": "a", "run": "true", "retry": {"limit": 101}}"#),
                  fragments: ["task 'a'", "limit", "0 to 100"]),
        Rejection(name: "maxDelay shorter than delay", json: workflow(#"{"id": "a", "run": "true", "retry": {"limit": 1, "delay": "10m", "maxDelay": "5m"}}"#),
                  fragments: ["task 'a'", "'maxDelay' is shorter than 'delay'"]),
        Rejection(name: "jitter above 1", json: workflow(#"{"id": "a", "run": "true", "retry": {"limit": 1, "jitter": 1.5}}"#),
                  fragments: ["task 'a'", "jitter", "from 0 to 1"]),
        Rejection(name: "negative jitter", json: workflow(#"{"id": "a", "run": "true", "retry": {"limit": 1, "jitter": -0.1}}"#),
                  fragments: ["task 'a'", "jitter"]),
        Rejection(name: "exit code out of range", json: workflow(#"{"id": "a", "run": "true", "retry": {"limit": 1, "nonRetryableExitCodes": [256]}}"#),
                  fragments: ["task 'a'", "nonRetryableExitCodes", "0 to 255"]),
        Rejection(name: "unknown retry field", json: workflow(#"{"id": "a", "run": "true", "retry": {"limit": 1, "attempts": 3}}"#),
                  fragments: ["task 'a'", "unknown field 'attempts'"]),
        Rejection(name: "retry on a switch", json: workflow(#"{"id": "s", "retry": {"limit": 1}, "switch": {"cases": [{"when": "true", "goto": "a"}]}}, {"id": "a", "run": "true", "after": ["s"]}"#),
                  fragments: ["task 's'", "a switch cannot be retried"]),
        Rejection(name: "timeout on a switch", json: workflow(#"{"id": "s", "timeout": "5m", "switch": {"cases": [{"when": "true", "goto": "a"}]}}, {"id": "a", "run": "true", "after": ["s"]}"#),
                  fragments: ["task 's'", "field 'timeout' applies to tasks that run a command"]),
        Rejection(name: "timeout on a sub-workflow", json: workflow(#"{"id": "a", "timeout": "5m", "workflow": {"name": "other"}}"#),
                  fragments: ["task 'a'", "field 'timeout'"]),
        Rejection(name: "timeout too long", json: workflow(#"{"id": "a", "run": "true", "timeout": "8d"}"#),
                  fragments: ["task 'a'", "field 'timeout'", "'8d'"]),
        Rejection(name: "bad workflow timeout", json: workflow(#"{"id": "a", "run": "true"}"#, #""timeout": "soon""#),
                  fragments: ["field 'timeout'", "'soon'"]),
        Rejection(name: "empty cwd", json: workflow(#"{"id": "a", "run": "true", "cwd": ""}"#),
                  fragments: ["task 'a'", "field 'cwd' is empty"]),
        Rejection(name: "deadline with at and after", json: workflow(#"{"id": "a", "run": "true"}"#, #""deadline": {"at": "06:00", "after": "2h"}"#),
                  fragments: ["field 'deadline'", "exactly one of 'at'", "'after'"]),
        Rejection(name: "deadline with neither at nor after", json: workflow(#"{"id": "a", "run": "true"}"#, #""deadline": {"warnBefore": "5m"}"#),
                  fragments: ["field 'deadline'", "exactly one of 'at'"]),
        Rejection(name: "deadline at 6:00", json: workflow(#"{"id": "a", "run": "true"}"#, #""deadline": {"at": "6:00"}"#),
                  fragments: ["field 'deadline'.at", "HH:MM", "'6:00'"]),
        Rejection(name: "deadline at 24:00", json: workflow(#"{"id": "a", "run": "true"}"#, #""deadline": {"at": "24:00"}"#),
                  fragments: ["HH:MM", "'24:00'"]),
        Rejection(name: "deadline at 06:60", json: workflow(#"{"id": "a", "run": "true"}"#, #""deadline": {"at": "06:60"}"#),
                  fragments: ["HH:MM", "'06:60'"]),
        Rejection(name: "deadline in an unknown time zone", json: workflow(#"{"id": "a", "run": "true"}"#, #""deadline": {"at": "06:00", "timezone": "Mars/Olympus"}"#),
                  fragments: ["field 'deadline'", "unknown time zone 'Mars/Olympus'"]),
        Rejection(name: "deadline in an abbreviated zone", json: workflow(#"{"id": "a", "run": "true"}"#, #""deadline": {"at": "06:00", "timezone": "CEST"}"#),
                  fragments: ["unknown time zone 'CEST'"]),
        Rejection(name: "deadline from with at", json: workflow(#"{"id": "a", "run": "true"}"#, #""deadline": {"at": "06:00", "from": "start"}"#),
                  fragments: ["field 'deadline'", "'from' applies to 'after'"]),
        Rejection(name: "deadline timezone with after", json: workflow(#"{"id": "a", "run": "true"}"#, #""deadline": {"after": "1h", "timezone": "UTC"}"#),
                  fragments: ["field 'deadline'", "'timezone' applies to 'at'"]),
        Rejection(name: "deadline from unknown", json: workflow(#"{"id": "a", "run": "true"}"#, #""deadline": {"after": "1h", "from": "end"}"#),
                  fragments: ["field 'deadline'.from", "logicalTime, start"]),
        Rejection(name: "waitFor in an unknown time zone", json: workflow(#"{"id": "a", "run": "true", "waitFor": [{"workflow": "o", "timezone": "Nowhere/City"}]}"#),
                  fragments: ["task 'a'", "field 'waitFor'[0]", "unknown time zone 'Nowhere/City'"]),
        Rejection(name: "waitFor with within and timezone", json: workflow(#"{"id": "a", "run": "true"}"#, #""waitFor": [{"workflow": "o", "within": "1h", "timezone": "UTC"}]"#),
                  fragments: ["field 'waitFor'[0]", "'timezone' applies to same-date waits"]),
        Rejection(name: "too many waits", json: workflow(#"{"id": "a", "run": "true", "waitFor": [\#((0..<11).map { #"{"workflow": "o\#($0)"}"# }.joined(separator: ", "))]}"#),
                  fragments: ["task 'a'", "at most 10 waits"]),
        Rejection(name: "invalid parameter name", json: workflow(#"{"id": "a", "run": "true"}"#, #""params": {"my-param": "x"}"#),
                  fragments: ["parameter 'my-param'", "letters, digits and '_'"]),
        Rejection(name: "parameter default not a scalar", json: workflow(#"{"id": "a", "run": "true"}"#, #""params": {"p": {"default": [1]}}"#),
                  fragments: ["parameter 'p'", "'default' must be a string, number or boolean"]),
        Rejection(name: "unknown parameter field", json: workflow(#"{"id": "a", "run": "true"}"#, #""params": {"p": {"required": true}}"#),
                  fragments: ["parameter 'p'", "unknown field 'required'"]),
        Rejection(name: "schedule missing a required param", json: workflow(#"{"id": "a", "run": "true"}"#, #""params": {"region": {"description": "r"}, "day": "1"}, "schedules": [{"id": "nightly", "cron": "0 2 * * *"}]"#),
                  fragments: ["schedule 'nightly'", "required parameter 'region'"]),
    ]

    @Test(arguments: rejections) func rejects(_ case: Rejection) {
        let message = Self.rejection(`case`.json)
        for fragment in `case`.fragments {
            #expect(message.contains(fragment), "\(`case`.name): '\(message)' lacks '\(fragment)'")
        }
    }

    @Test func aScheduleSupplyingTheRequiredParameterIsAccepted() throws {
        let definition = try Self.parse(Self.workflow(#"{"id": "a", "run": "echo {{ params.region }}"}"#,
                                                      #""params": {"region": {}}, "schedules": [{"id": "n", "cron": "0 2 * * *", "parameters": {"region": "eu"}}]"#))
        #expect(definition.params["region"]?.isRequired == true)
    }

    @Test func outputsOfTransitiveAncestorsMayBeRead() throws {
        let definition = try Self.parse(Self.workflow(#"""
            {"id": "a", "run": "true"}, {"id": "b", "run": "true", "after": ["a"]},
            {"id": "c", "run": "echo {{ tasks.a.outputs.rows }}", "after": ["b"], "when": "tasks.a.outputs.rows > 0"}
            """#))
        #expect(definition.tasks.count == 3)
    }

    @Test func builtinsNeedNoDeclaration() throws {
        let definition = try Self.parse(Self.workflow(#"{"id": "a", "run": "echo {{ run.id }} {{ run.logicalDate }} {{ task.attempt }}"}"#))
        #expect(definition.tasks.count == 1)
    }

    // MARK: - Encoding

    @Test func aDefinitionWithoutNewFieldsEncodesAsBefore() throws {
        let json = """
            {"name": "nightly", "description": "d", "tasks": [
              {"id": "a", "run": "echo a", "env": {"K": "v"}},
              {"id": "b", "run": ["/bin/true"], "after": ["a"], "pool": "p"}]}
            """
        let definition = try Self.parse(json)
        let encoded = String(decoding: try WireCoding.encode(definition), as: UTF8.self)
        #expect(encoded == #"{"description":"d","name":"nightly","tasks":[{"after":[],"env":{"K":"v"},"id":"a","pool":"default","run":"echo a"},{"after":["a"],"env":{},"id":"b","pool":"p","run":["/bin/true"]}]}"#)
        for key in ["triggerRule", "waitFor", "params", "when", "retry", "timeout", "deadline", "switch", "workflow", "cwd"] {
            #expect(!encoded.contains("\"\(key)\""), "\(key) is encoded")
        }
        #expect(try WireCoding.decode(WorkflowDefinition.self, from: WireCoding.encode(definition)) == definition)
    }

    @Test func aDefinitionStoredBeforeTheNewFieldsDecodes() throws {
        let stored = #"{"name":"old","tasks":[{"after":[],"env":{},"id":"a","pool":"default","run":"true"}]}"#
        let definition = try WireCoding.decode(WorkflowDefinition.self, from: Array(stored.utf8))
        #expect(definition == WorkflowDefinition(name: "old", tasks: [TaskDefinition(id: "a", run: .shell("true"))]))
        #expect(String(decoding: try WireCoding.encode(definition), as: UTF8.self) == stored)
    }

    @Test func everyFieldRoundTripsThroughWireCoding() throws {
        let definition = try Self.parse(Self.everyField)
        let bytes = try WireCoding.encode(definition)
        let decoded = try WireCoding.decode(WorkflowDefinition.self, from: bytes)
        #expect(decoded == definition)
        // Encoding is canonical: the same bytes again.
        #expect(try WireCoding.encode(decoded) == bytes)
    }

    /// The stored form (what `GET /v1/workflows/{name}` returns) of a definition without `retry`
    /// is itself a valid definition document that parses back to the same value.
    @Test func theStoredFormWithoutRetryParsesBack() throws {
        var definition = try Self.parse(Self.everyField)
        for index in definition.tasks.indices { definition.tasks[index].retry = nil }
        #expect(try WorkflowDefinition.parse(WireCoding.encode(definition)) == definition)
    }

    /// The stored form (what `GET /v1/workflows/:name` returns) can be applied again as it is.
    @Test func theStoredFormWithRetryParsesBack() throws {
        let definition = try Self.parse(Self.everyField)
        let bytes = try WireCoding.encode(definition)
        let reparsed = try WorkflowDefinition.parse(bytes)
        #expect(reparsed == definition)
    }

    // MARK: - Parameters at trigger time

    @Test func givenParametersOverrideDefaults() throws {
        let declared = ["region": ParameterDefinition(default: "eu"), "day": ParameterDefinition(default: "1")]
        let resolved = try WorkflowDefinition.resolveParameters(["region": "us", "extra": "x"], declared: declared, workflow: "w")
        #expect(resolved == ["region": "us", "day": "1", "extra": "x"])
    }

    @Test func missingRequiredParametersAreNamed() {
        let declared = ["b": ParameterDefinition(), "a": ParameterDefinition(description: "d"), "c": ParameterDefinition(default: "3")]
        #expect(throws: DefinitionError("workflow 'w' needs parameters 'a', 'b'")) {
            try WorkflowDefinition.resolveParameters([:], declared: declared, workflow: "w")
        }
        #expect(throws: DefinitionError("workflow 'w' needs parameter 'b'")) {
            try WorkflowDefinition.resolveParameters(["a": "1"], declared: declared, workflow: "w")
        }
    }

    @Test func anEmptyStringSuppliesARequiredParameter() throws {
        let resolved = try WorkflowDefinition.resolveParameters(["a": ""], declared: ["a": ParameterDefinition()], workflow: "w")
        #expect(resolved == ["a": ""])
    }
}
