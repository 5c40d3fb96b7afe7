import Contracts
import Foundation
import Runtime
import Testing

/// A spec crosses the dispatcher as text (`RawJSON`): what comes out must be what went in, and
/// the orders written from it must read as the `DispatchOrder`s they stand for.
@Suite struct SpecTextTests {
    private struct Holder: Codable {
        let before: Int
        let value: RawJSON
        let after: String
    }

    private func spec() -> TaskSpec {
        TaskSpec(runID: UUID(), taskID: "load \"quoted\"", workflow: "etl", pool: "default", command: .argv(["/bin/echo", "a\nb", "é"]),
                 environment: ["WL_PARAM_DAY": "2026-11-23", "TAB": "\t"], timeoutSeconds: 30, priority: 7, selector: "zone=eu",
                 concurrency: ConcurrencyLimit(key: "db", limit: 2))
    }

    @Test func readsAndWritesEveryKindOfValueAsItsExactText() throws {
        for value in [#"{"b" : [1, 2.5e3, {"c":null}], "a":"x\"y"}"#, #"[ ]"#, #""esc\u00e9\n""#, #""plain""#, "-0.5", "true", "null"] {
            let document = #"{"after":"z","before":1,"value":"# + value + "}"
            let holder = try WireDecoder.decode(Holder.self, from: Array(document.utf8))
            #expect(holder.value.bytes == Array(value.utf8))
            #expect(holder.before == 1 && holder.after == "z")
            #expect(try WireEncoder.encode(holder) == Array(document.utf8))
        }
    }

    @Test func otherCodersRefuseIt() throws {
        #expect(throws: EncodingError.self) { try JSONEncoder().encode(RawJSON(trusted: Array("1".utf8))) }
        #expect(throws: DecodingError.self) { try JSONDecoder().decode([RawJSON].self, from: Data("[1]".utf8)) }
    }

    @Test func aReceivedReadyKeepsItsSpecAsItCame() throws {
        let ready = TaskReady(task: spec())
        let bytes = try WireCoding.encode(Envelope(tenant: "acme", payload: ready))
        let received = try #require(try Envelope<TaskReady.Received>.unpack(bytes).first)
        #expect(received.payload.task == ready.task)
        #expect(received.payload.specText.bytes == (try WireCoding.encode(ready.task)))
        // Sent on, it is the same message: readers of `TaskReady` see no difference.
        #expect(try WireCoding.decode(TaskReady.self, from: try WireCoding.encode(received.payload)) == ready)
    }

    @Test func aReceivedReadyWhoseSpecDoesNotReadIsRefused() throws {
        let bytes = Array(#"{"task":{"runID":"not a uuid","taskID":"t"}}"#.utf8)
        #expect(throws: DecodingError.self) { try WireCoding.decode(TaskReady.Received.self, from: bytes) }
    }

    @Test func aPreparedOrderIsTheOrderItStandsFor() throws {
        let issued = Date(timeIntervalSince1970: 1_795_000_000.25)
        let order = DispatchOrder(task: spec(), attempt: 2, tenant: "acme", agentID: "agent-1", agentSession: "s-1", issuedAt: issued)
        let prepared = DispatchOrder.Prepared(task: RawJSON(trusted: try WireCoding.encode(order.task)), attempt: 2, tenant: "acme",
                                              agentID: "agent-1", agentSession: "s-1", issuedAt: issued)
        #expect(try WireCoding.encode(prepared) == (try WireCoding.encode(order)))
        #expect(try WireCoding.encode([prepared]) == (try WireCoding.encode([order])))
        var sessionless = prepared
        sessionless.agentSession = nil
        #expect(try WireCoding.decode(DispatchOrder.self, from: try WireCoding.encode(sessionless)).agentSession == nil)
        #expect(prepared.estimatedBytes >= (try WireCoding.encode(prepared)).count)
    }
}
