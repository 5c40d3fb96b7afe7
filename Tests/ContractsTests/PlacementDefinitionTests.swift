import Contracts
import Testing

/// The dispatcher's fields of a task: priority, selector, concurrency key and run-as user; and
/// the retry-policy and fencing rules that lost agents rely on.
@Suite struct PlacementDefinitionTests {
    private static func parse(_ json: String) throws(DefinitionError) -> WorkflowDefinition {
        try WorkflowDefinition.parse(Array(json.utf8))
    }

    private static func task(_ fields: String) -> String {
        #"{"name": "w", "tasks": [{"id": "t", "run": "true", \#(fields)}]}"#
    }

    @Test func parsesAndKeepsEveryPlacementField() throws {
        let definition = try Self.parse(Self.task(#""priority": 9, "selector": "os=linux,region in (eu-west, eu-central),!spot", "concurrency": {"key": "db:ledger", "limit": 3}, "runAs": "batch""#))
        let task = try #require(definition.tasks.first)
        #expect(task.priority == 9)
        #expect(task.selector == "os=linux,region in (eu-west, eu-central),!spot")
        #expect(task.concurrency == ConcurrencyLimit(key: "db:ledger", limit: 3))
        #expect(task.runAs == "batch")
        let again = try WireCoding.decode(WorkflowDefinition.self, from: try WireCoding.encode(definition))
        #expect(again == definition, "stored definitions decode to the same fields")
    }

    @Test func definitionsWithoutThemEncodeAsBefore() throws {
        let definition = try Self.parse(#"{"name": "w", "tasks": [{"id": "t", "run": "true"}]}"#)
        let text = String(decoding: try WireCoding.encode(definition), as: UTF8.self)
        for field in ["priority", "selector", "concurrency", "runAs"] { #expect(!text.contains(field)) }
    }

    static let rejections: [(String, String)] = [
        (#""priority": 10"#, "field 'priority'"),
        (#""priority": -1"#, "field 'priority'"),
        (#""selector": "zone in a""#, "must be in parentheses"),
        (#""selector": "zone=""#, "is not a label key or value"),
        (#""concurrency": {"key": "db ledger", "limit": 3}"#, ".key must be"),
        (#""concurrency": {"key": "db:ledger"}"#, ".limit is missing"),
        (#""concurrency": {"key": "db:ledger", "limit": 0}"#, ".limit"),
        (#""concurrency": {"key": "db:ledger", "limit": 1, "scope": "x"}"#, "unknown field 'scope'"),
        (#""runAs": "-root""#, "field 'runAs' is not a user name"),
        (#""runAs": "a b""#, "field 'runAs' is not a user name"),
    ]

    @Test(arguments: rejections) func rejects(_ field: String, _ message: String) {
        do {
            _ = try Self.parse(Self.task(field))
            Issue.record("accepted \(field)")
        } catch {
            #expect(error.message.contains(message), "\(field): \(error.message)")
        }
    }

    @Test func placementNeedsACommand() {
        let json = #"{"name": "w", "tasks": [{"id": "a", "run": "true"}, {"id": "s", "after": ["a"], "priority": 3, "switch": {"cases": [], "default": ["a2"]}}, {"id": "a2", "run": "true", "after": ["s"]}]}"#
        #expect(throws: DefinitionError.self) { try Self.parse(json) }
    }

    @Test func lostAttemptsAreRetriedEvenWithoutAPolicyButOwnPoliciesWin() throws {
        let fallback = try #require(RetryPolicy.governing(nil, reason: TaskFailure.lost))
        #expect(fallback.limit == 3 && fallback.delaySeconds == 0)
        #expect(RetryPolicy.governing(nil, reason: "timeout") == nil)
        let own = RetryPolicy(limit: 1, delaySeconds: 30)
        #expect(RetryPolicy.governing(own, reason: TaskFailure.lost) == own)
        #expect(!RetryPolicy.lostAgentDefault.allowsRetry(failures: 4, exitCode: nil, reason: TaskFailure.lost))
    }

    @Test func aTaskQueuedAgainIgnoresTheEndedAttempt() {
        #expect(TaskTransition.decide(current: .ready, currentAttempt: 1, report: .succeeded, reportAttempt: 1)
            == .ignore("attempt 1 already ended; the task is queued again"))
        #expect(TaskTransition.decide(current: .ready, currentAttempt: 1, report: .dispatched, reportAttempt: 2)
            == .apply(state: .dispatched, attempt: 2))
    }
}
