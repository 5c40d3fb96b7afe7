import Contracts
import Foundation
import Testing

@Suite struct EnvelopeTests {
    @Test func roundTripsWithTypeAndVersion() throws {
        let status = TaskStatus(runID: UUID(), taskID: "load", attempt: 2, state: .failed, agentID: "a1", exitCode: 3)
        let envelope = Envelope(tenant: "acme", payload: status)
        let bytes = try envelope.encoded()
        let text = String(decoding: bytes, as: UTF8.self)
        #expect(text.contains(#""type":"task.status""#) && text.contains(#""version":1"#))
        let decoded = try Envelope<TaskStatus>.decode(bytes)
        #expect(decoded.payload == status && decoded.id == envelope.id && decoded.tenant == "acme")
        #expect(abs(decoded.occurredAt.timeIntervalSince(envelope.occurredAt)) < 0.001)
    }

    @Test func rejectsWrongTypeAndNewerVersion() throws {
        let bytes = try Envelope(tenant: "t", payload: Alert(kind: "k", severity: "s", summary: "x", runID: nil, workflow: nil)).encoded()
        #expect(throws: MessageError.self) { try Envelope<TaskStatus>.decode(bytes) }
        var text = String(decoding: bytes, as: UTF8.self)
        text = text.replacingOccurrences(of: #""version":1"#, with: #""version":9"#)
        #expect(throws: MessageError.self) { try Envelope<Alert>.decode(Array(text.utf8)) }
    }

    @Test func commandEncodesAsStringOrArray() throws {
        #expect(String(decoding: try WireCoding.encode([Command.shell("echo hi")]), as: UTF8.self) == #"["echo hi"]"#)
        #expect(String(decoding: try WireCoding.encode([Command.argv(["a", "b"])]), as: UTF8.self) == #"[["a","b"]]"#)
        #expect(Command.shell("x").arguments == ["/bin/sh", "-c", "x"])
    }
}
