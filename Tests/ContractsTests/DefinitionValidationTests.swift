import Contracts
import Testing

@Suite struct DefinitionValidationTests {
    private func parse(_ json: String) throws(DefinitionError) -> WorkflowDefinition {
        try WorkflowDefinition.parse(Array(json.utf8))
    }

    private func rejection(_ json: String) -> String {
        do {
            _ = try parse(json)
            return "accepted"
        } catch { return error.message }
    }

    @Test func acceptsTheSpineExample() throws {
        let definition = try parse("""
            {"name": "nightly-report", "tasks": [
              {"id": "extract", "run": "echo extracting"},
              {"id": "load", "run": ["/usr/bin/env", "true"], "after": ["extract"]}]}
            """)
        #expect(definition.name == "nightly-report")
        #expect(definition.tasks[0].run == .shell("echo extracting"))
        #expect(definition.tasks[1].run == .argv(["/usr/bin/env", "true"]))
        #expect(definition.tasks[1].after == ["extract"])
        #expect(definition.tasks[1].pool == "default")
    }

    @Test func rejectsMalformedJSON() {
        #expect(rejection(#"{"name": "x", "tasks": ["#).hasPrefix("malformed JSON"))
    }

    @Test func rejectsUnknownWorkflowField() {
        #expect(rejection(#"{"name": "x", "tasks": [{"id": "a", "run": "true"}], "owner": "me"}"#)
            .contains("unknown field 'owner'"))
    }

    @Test func rejectsUnknownTaskFieldNamingTheTask() {
        let message = rejection(#"{"name": "x", "tasks": [{"id": "a", "run": "true", "retries": 3}]}"#)
        #expect(message.contains("tasks[0]") && message.contains("unknown field 'retries'"))
    }

    @Test func rejectsDuplicateTaskIDs() {
        #expect(rejection(#"{"name": "x", "tasks": [{"id": "a", "run": "true"}, {"id": "a", "run": "true"}]}"#)
            == "duplicate task id 'a'")
    }

    @Test func rejectsAfterNamingMissingTask() {
        #expect(rejection(#"{"name": "x", "tasks": [{"id": "a", "run": "true", "after": ["ghost"]}]}"#)
            == "task 'a' is after 'ghost', which is not a task of this workflow")
    }

    @Test func rejectsCycleNamingItsTasks() {
        let message = rejection("""
            {"name": "x", "tasks": [
              {"id": "a", "run": "true", "after": ["c"]},
              {"id": "b", "run": "true", "after": ["a"]},
              {"id": "c", "run": "true", "after": ["b"]},
              {"id": "d", "run": "true"}]}
            """)
        #expect(message.hasPrefix("cycle in 'after': "))
        for id in ["a", "b", "c"] { #expect(message.contains(id)) }
        #expect(!message.contains("d"))
    }

    @Test func rejectsSelfDependency() {
        #expect(rejection(#"{"name": "x", "tasks": [{"id": "a", "run": "true", "after": ["a"]}]}"#)
            == "task 'a' lists itself in 'after'")
    }

    @Test(arguments: [#""""#, #""   ""#, "[]", #"[""]"#])
    func rejectsEmptyRun(run: String) {
        #expect(rejection(#"{"name": "x", "tasks": [{"id": "a", "run": \#(run)}]}"#) == "task 'a': field 'run' is empty")
    }

    @Test func rejectsMissingRun() {
        #expect(rejection(#"{"name": "x", "tasks": [{"id": "a"}]}"#) == "task 'a' must have exactly one of 'run', 'switch' or 'workflow'")
    }

    @Test func rejectsRunOfWrongType() {
        #expect(rejection(#"{"name": "x", "tasks": [{"id": "a", "run": 5}]}"#).contains("must be a string or an array"))
    }

    @Test func rejectsMissingOrEmptyTasks() {
        #expect(rejection(#"{"name": "x"}"#) == "missing field 'tasks'")
        #expect(rejection(#"{"name": "x", "tasks": []}"#) == "field 'tasks' must list at least one task")
    }

    @Test func rejectsBadNames() {
        #expect(rejection(#"{"name": "../etc", "tasks": [{"id": "a", "run": "true"}]}"#).contains("field 'name'"))
        #expect(rejection(#"{"tasks": [{"id": "a", "run": "true"}]}"#) == "missing field 'name'")
        #expect(rejection(#"{"name": "x", "tasks": [{"id": "a b", "run": "true"}]}"#).contains("tasks[0].id"))
    }

    @Test func rejectsReservedEnvironmentNames() {
        #expect(rejection(#"{"name": "x", "tasks": [{"id": "a", "run": "true", "env": {"WL_TASK_ID": "x"}}]}"#)
            .contains("invalid variable name 'WL_TASK_ID'"))
    }

    @Test func rejectsDocumentThatIsNotAnObject() {
        #expect(rejection("[1, 2]") == "workflow definition must be an object, not array")
    }
}
