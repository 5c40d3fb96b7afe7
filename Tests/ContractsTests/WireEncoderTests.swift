import Contracts
import Foundation
import Runtime
import Testing

/// `WireEncoder` writes what Foundation's encoder (`WireCoding.canonical`) writes, up to key order
/// among keys that differ only in case or digits: checked as parsed JSON for the platform's own
/// messages and for every shape `encode(to:)` can produce.
@Suite struct WireEncoderTests {
    private func text<T: Encodable>(_ value: T) throws -> String {
        String(decoding: try WireEncoder.encode(value), as: UTF8.self)
    }

    /// Both encoders' output parsed back (by `JSONSerialization`, not by the decoder under test).
    private func expectSameJSON<T: Encodable>(_ value: T, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let bytes = try WireEncoder.encode(value)
        let fast = try JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed])
        let reference = try JSONSerialization.jsonObject(with: Data(try WireCoding.canonical(value)), options: [.fragmentsAllowed])
        #expect((fast as? NSObject)?.isEqual(reference) == true, "\(String(decoding: bytes, as: UTF8.self))", sourceLocation: sourceLocation)
    }

    @Test func writesSortedKeysAndLeavesOutAbsentOptionals() throws {
        struct Row: Encodable {
            let zeta = 1
            let alpha = "a"
            let missing: String? = nil
            let middle = [true, false]
        }
        #expect(try text(Row()) == #"{"alpha":"a","middle":[true,false],"zeta":1}"#)
    }

    @Test func escapesWhatJSONRequiresAndNothingElse() throws {
        #expect(try text("quote \" back \\ slash / tab \t nl \n cr \r bell \u{07} é ✓") ==
                #""quote \" back \\ slash / tab \t nl \n cr \r bell \u0007 é ✓""#)
        #expect(try text(["k\"ey": 1]) == #"{"k\"ey":1}"#)
        #expect(try text(["b": "2", "a": "1\n", "B": ""]) == #"{"B":"","a":"1\n","b":"2"}"#)
        #expect(try text(["x", "y\"z"]) == #"["x","y\"z"]"#)
    }

    @Test func writesNumbersDatesAndIDsAsFoundationDoes() throws {
        let id = try #require(UUID(uuidString: "0A1B2C3D-4E5F-6071-8293-A4B5C6D7E8F9"))
        #expect(try text(id) == #""0A1B2C3D-4E5F-6071-8293-A4B5C6D7E8F9""#)
        #expect(try text(id) == "\"\(id.uuidString)\"")
        #expect(try text([Int.min, -1, 0, 7, Int.max]) == "[\(Int.min),-1,0,7,\(Int.max)]")
        #expect(try text([UInt64.max]) == "[\(UInt64.max)]")
        #expect(try text([2.0, 0.5, -1.25, 1e-5]) == "[2,0.5,-1.25,1e-05]")
        let date = Date(timeIntervalSince1970: 1_795_000_000.123)
        #expect(try text(date) == "\"\(Timestamp.format(date))\"")
        try expectSameJSON([2.0, 0.5, 1e300, -0.0])
        try expectSameJSON(["d": date])
    }

    @Test func refusesNumbersJSONCannotHold() throws {
        struct Reading: Encodable { let value: Double }
        #expect(throws: EncodingError.self) { try WireEncoder.encode(Reading(value: .nan)) }
        #expect(throws: EncodingError.self) { try WireEncoder.encode([Double.infinity]) }
    }

    @Test func encodesNestedContainersAndSuperEncoders() throws {
        enum Shape: Encodable, Equatable {
            case circle(radius: Int)
            case named(String, sides: Int)
        }
        struct Custom: Encodable {
            func encode(to encoder: any Encoder) throws {
                var container = encoder.container(keyedBy: WireTestKey.self)
                var list = container.nestedUnkeyedContainer(forKey: WireTestKey("list"))
                try list.encode(1)
                var inner = list.nestedContainer(keyedBy: WireTestKey.self)
                try container.encode("after", forKey: WireTestKey("b"))
                try inner.encode("late", forKey: WireTestKey("x"))
                try list.encodeNil()
                try Optional<Int>.none.encode(to: container.superEncoder())
                try "mine".encode(to: container.superEncoder(forKey: WireTestKey("a")))
            }
        }
        try expectSameJSON([Shape.circle(radius: 2), .named("tri", sides: 3)])
        #expect(try text(Custom()) == #"{"a":"mine","b":"after","list":[1,{"x":"late"},null],"super":null}"#)
        try expectSameJSON(Custom())
    }

    @Test func laterValueForARepeatedKeyWins() throws {
        struct Twice: Encodable {
            func encode(to encoder: any Encoder) throws {
                var container = encoder.container(keyedBy: WireTestKey.self)
                try container.encode(1, forKey: WireTestKey("k"))
                try container.encode(0, forKey: WireTestKey("a"))
                try container.encode(2, forKey: WireTestKey("k"))
            }
        }
        #expect(try text(Twice()) == #"{"a":0,"k":2}"#)
    }

    @Test func aValueThatEncodesNothingOrTwoThingsIsAnError() throws {
        struct Silent: Encodable { func encode(to encoder: any Encoder) throws {} }
        struct Twice: Encodable {
            func encode(to encoder: any Encoder) throws {
                var container = encoder.singleValueContainer()
                try container.encode(1)
                try container.encode(2)
            }
        }
        struct Mixed: Encodable {
            func encode(to encoder: any Encoder) throws {
                var list = encoder.unkeyedContainer()
                try list.encode(1)
                var object = encoder.container(keyedBy: WireTestKey.self)
                try object.encode(2, forKey: WireTestKey("k"))
            }
        }
        #expect(throws: EncodingError.self) { try WireEncoder.encode([Silent()]) }
        #expect(throws: EncodingError.self) { try WireEncoder.encode(["a": Twice()]) }
        #expect(throws: EncodingError.self) { try WireEncoder.encode(Mixed()) }
    }

    @Test func platformMessagesMatchFoundation() throws {
        let status = TaskStatus(runID: UUID(), taskID: "load", attempt: 2, state: .failed, agentID: "a1", exitCode: 3,
                                reason: "exit", outputTail: "line 1\nline \"2\"", outputs: ["b": "2", "a": "1"])
        try expectSameJSON(Envelope(tenant: "acme", payload: status))
        try expectSameJSON(Envelope(tenant: "acme", payload: MessageGroup(items: [status, status])))
        try expectSameJSON(JSONValue.object(["n": .number(1.5), "i": .number(3), "l": .array([.null, .bool(true), .string("s")])]))
        let decoded = try Envelope<TaskStatus>.decode(try WireEncoder.encode(Envelope(tenant: "acme", payload: status)))
        #expect(decoded.payload == status)
    }
}

private struct WireTestKey: CodingKey {
    let stringValue: String
    var intValue: Int? { nil }
    init(_ name: String) { stringValue = name }
    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}

@Suite struct UUIDKeyTests {
    @Test func keyIsTheLowerCaseUUIDString() throws {
        for _ in 0..<100 {
            let id = UUID()
            #expect(id.key == id.uuidString.lowercased())
        }
        let fixed = try #require(UUID(uuidString: "0A1B2C3D-4E5F-6071-8293-A4B5C6D7E8F9"))
        #expect(fixed.key == "0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9")
    }
}
