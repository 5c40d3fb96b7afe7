import Contracts
import Foundation
import Testing

@Suite struct MessageGroupTests {
    static let run = UUID()

    static func status(_ task: String, tail: String? = nil) -> TaskStatus {
        TaskStatus(runID: run, taskID: task, attempt: 1, state: .running, agentID: "a1", outputTail: tail)
    }

    @Test func oneItemTravelsAsThePlainMessage() throws {
        let bytes = try MessageGroup.envelope([Self.status("t")], tenant: "acme")
        let header = try WireCoding.decode(EnvelopeHeader.self, from: bytes)
        #expect(header.type == "task.status" && header.itemType == "task.status")
        #expect(try Envelope<TaskStatus>.decode(bytes).payload == Self.status("t"), "readable by a reader that knows no groups")
    }

    @Test func aGroupUnpacksInOrderSharingItsEnvelope() throws {
        let statuses = (1...3).map { Self.status("t\($0)") }
        let bytes = try MessageGroup.envelope(statuses, tenant: "acme")
        let header = try WireCoding.decode(EnvelopeHeader.self, from: bytes)
        #expect(header.type == "task.status[]" && header.itemType == "task.status" && header.version == TaskStatus.version)
        let items = try Envelope<TaskStatus>.unpack(bytes)
        #expect(items.map(\.payload) == statuses)
        #expect(Set(items.map(\.id)) == [header.id] && items.allSatisfy { $0.tenant == "acme" && $0.occurredAt == header.occurredAt })
    }

    @Test func unpackRefusesAnotherKind() throws {
        let bytes = try MessageGroup.envelope([Self.status("a"), Self.status("b")], tenant: "acme")
        #expect(throws: MessageError.self) { try Envelope<TaskReady>.unpack(bytes) }
        #expect(throws: MessageError.self) { try Envelope<TaskStatus>.unpack(Array("{}".utf8)) }
    }

    @Test func chunksKeepOrderWithinTheItemLimit() {
        let most = MessageGroup<TaskStatus>.maxItems
        let statuses = (0..<(most * 2 + 1)).map { Self.status("t\($0)") }
        let chunks = MessageGroup.chunks(statuses)
        #expect(chunks.map(\.count) == [most, most, 1])
        #expect(chunks.flatMap { $0 } == statuses)
        #expect(MessageGroup<TaskStatus>.chunks([]).isEmpty)
    }

    @Test func chunksStayWithinTheByteLimit() throws {
        let tail = String(repeating: "x", count: 2_048)
        let statuses = (0..<100).map { Self.status("t\($0)", tail: tail) }
        let chunks = MessageGroup.chunks(statuses)
        #expect(chunks.count > 1 && chunks.flatMap { $0 } == statuses)
        for chunk in chunks {
            #expect(chunk.reduce(0) { $0 + $1.estimatedBytes } <= MessageGroup<TaskStatus>.maxBytes)
            let bytes = try MessageGroup.envelope(chunk, tenant: "acme")
            #expect(bytes.count <= MessageGroup<TaskStatus>.maxBytes, "the estimate is not below the real size")
        }
    }

    /// An item larger than a group's byte limit still travels, alone.
    @Test func anOversizedItemGoesAlone() {
        let big = Self.status("big", tail: String(repeating: "y", count: MessageGroup<TaskStatus>.maxBytes))
        #expect(MessageGroup.chunks([Self.status("a"), big, Self.status("b")]).map(\.count) == [1, 1, 1])
    }

    @Test func estimatesCoverTheEncodedSize() throws {
        let spec = TaskSpec(runID: Self.run, taskID: "load", workflow: "etl", pool: "default", command: .argv(["/bin/echo", "hello"]),
                            environment: ["A": "1", "LONG": String(repeating: "v", count: 500)], directory: "/tmp", timeoutSeconds: 60,
                            priority: 9, selector: "os=linux", concurrency: ConcurrencyLimit(key: "db", limit: 2), runAs: "batch")
        let ready = TaskReady(task: spec)
        #expect(try WireCoding.encode(ready).count <= ready.estimatedBytes)
        let record = AuditRecord(actor: "dispatcher", action: "task.dispatched", subjectType: "task", subjectID: "load", runID: Self.run,
                                 taskID: "load", fromState: "ready", toState: "dispatched", details: ["attempt": "1"], occurredAt: Date())
        #expect(try WireCoding.encode(record).count <= record.estimatedBytes)
        let status = TaskStatus(runID: Self.run, taskID: "load", attempt: 3, state: .failed, agentID: "agent-1", agentSession: UUID().key,
                                exitCode: 1, reason: "timeout", outputTail: "line\n", outputs: ["rows": "42"])
        #expect(try WireCoding.encode(status).count <= status.estimatedBytes)
    }
}
