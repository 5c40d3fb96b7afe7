import Contracts
import Foundation
import Runtime
import Testing

/// `WireDecoder` reads what Foundation's decoder (with `WireCoding.decoder()`'s settings) reads
/// and refuses what it refuses, with the same kind of error.
@Suite struct WireDecoderTests {
    private struct Row: Codable, Equatable {
        let id: UUID
        let name: String
        let count: Int
        let ratio: Double
        let flag: Bool
        let at: Date
        let tags: [String]
        let extra: [String: Int]?
        let nested: [[Int64?]]
    }

    private func decode<T: Decodable>(_ type: T.Type, _ json: String) throws -> T {
        try WireDecoder.decode(type, from: Array(json.utf8))
    }

    private func foundation<T: Decodable>(_ type: T.Type, _ json: String) throws -> T {
        try WireCoding.decoder().decode(type, from: Data(json.utf8))
    }

    /// The kind of `DecodingError` a decode failed with, or nil when it succeeded.
    private func failure<T: Decodable>(_ decode: () throws -> T) -> String? {
        do {
            _ = try decode()
            return nil
        } catch let error as DecodingError {
            switch error {
            case .typeMismatch: return "typeMismatch"
            case .valueNotFound: return "valueNotFound"
            case .keyNotFound(let key, _): return "keyNotFound \(key.stringValue)"
            case .dataCorrupted: return "dataCorrupted"
            @unknown default: return "other"
            }
        } catch {
            return "not a DecodingError: \(error)"
        }
    }

    @Test func readsWhatTheEncoderWrites() throws {
        let row = Row(id: UUID(), name: "a \"quoted\" ✓ name\n", count: -42, ratio: 0.25, flag: true,
                      at: Date(timeIntervalSince1970: 1_795_000_000.5), tags: ["x", ""], extra: ["k": 1],
                      nested: [[1, nil, Int64.max], []])
        #expect(try WireDecoder.decode(Row.self, from: try WireEncoder.encode(row)) == row)
        let status = TaskStatus(runID: UUID(), taskID: "load", attempt: 3, state: .succeeded, outputs: ["a": "1"])
        let group = try Envelope(tenant: "acme", payload: MessageGroup(items: [status, status])).encoded()
        #expect(try WireDecoder.decode(Envelope<MessageGroup<TaskStatus>>.self, from: group).payload.items == [status, status])
    }

    @Test func readsEscapesWhitespaceAndLowerCaseIDs() throws {
        let json = """
             { "id" : "0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9", "name":"tab\\t \\u00e9 \\ud83d\\ude00 \\/ \\\\",
              "count": 1.0e1, "ratio": -1E-2, "flag": false, "at": "2026-11-23T00:00:00Z", "tags": [ ],
              "nested": [[null]] }
            """
        let row = try decode(Row.self, json)
        #expect(row == (try foundation(Row.self, json)))
        #expect(row.id.uuidString == "0A1B2C3D-4E5F-6071-8293-A4B5C6D7E8F9")
        #expect(row.count == 10 && row.ratio == -0.01 && row.extra == nil && row.nested == [[nil]])
        #expect(try decode([String: String].self, #"{"name":"first","n\u0061me":"last wins"}"#) == ["name": "last wins"])
        #expect(try decode(String.self, #""tab\t \u00e9 \ud83d\ude00 \/ \\""#) == "tab\t é 😀 / \\")
    }

    @Test func failsAsFoundationFails() throws {
        let cases: [(String, String)] = [
            ("missing field", #"{"name":"x"}"#),
            ("wrong type", #"{"id":"0A1B2C3D-4E5F-6071-8293-A4B5C6D7E8F9","name":5,"count":1,"ratio":1,"flag":true,"at":"2026-11-23T00:00:00Z","tags":[],"nested":[]}"#),
            ("null for a value", #"{"id":"0A1B2C3D-4E5F-6071-8293-A4B5C6D7E8F9","name":null,"count":1,"ratio":1,"flag":true,"at":"2026-11-23T00:00:00Z","tags":[],"nested":[]}"#),
            ("bad uuid", #"{"id":"nope","name":"x","count":1,"ratio":1,"flag":true,"at":"2026-11-23T00:00:00Z","tags":[],"nested":[]}"#),
            ("bad date", #"{"id":"0A1B2C3D-4E5F-6071-8293-A4B5C6D7E8F9","name":"x","count":1,"ratio":1,"flag":true,"at":"yesterday","tags":[],"nested":[]}"#),
            ("fraction for an integer", #"{"id":"0A1B2C3D-4E5F-6071-8293-A4B5C6D7E8F9","name":"x","count":1.5,"ratio":1,"flag":true,"at":"2026-11-23T00:00:00Z","tags":[],"nested":[]}"#),
            ("integer overflow", #"{"id":"0A1B2C3D-4E5F-6071-8293-A4B5C6D7E8F9","name":"x","count":99999999999999999999,"ratio":1,"flag":true,"at":"2026-11-23T00:00:00Z","tags":[],"nested":[]}"#),
            ("an array for an object", "[]"),
            ("truncated", #"{"id":"#),
            ("trailing text", #"{} x"#),
            ("bare word", "[nul]"),
            ("bad escape", #"["\x"]"#),
            ("lone surrogate", #"["\ud800"]"#),
        ]
        for (name, json) in cases {
            let ours = failure { try decode(Row.self, json) }
            #expect(ours != nil, "\(name)")
            #expect(ours == failure { try foundation(Row.self, json) }, "\(name)")
        }
        // Foundation reads these; they are not JSON (RFC 8259), and no platform process writes them.
        for json in [#"{"a":1,}"#, "[01]", "[\"a\u{01}\"]", "[1,]"] {
            #expect(failure { try decode(JSONValue.self, json) } == "dataCorrupted", "\(json)")
        }
        #expect(failure { try decode([Int].self, "[1,2,") } == "dataCorrupted")
        for json in [#"{"a":1}"#, #"{"a":null}"#, #"["a"]"#, "null"] {
            #expect(failure { try decode([String: String].self, json) } == failure { try foundation([String: String].self, json) }, "\(json)")
        }
        for json in [#"["a",null]"#, #"["a",1]"#, #"{"a":"b"}"#] {
            #expect(failure { try decode([String].self, json) } == failure { try foundation([String].self, json) }, "\(json)")
        }
        #expect(failure { try decode(Int8.self, "300") } == "dataCorrupted")
        #expect(failure { try decode(UInt.self, "-1") } == "dataCorrupted")
    }

    @Test func errorsNameTheField() throws {
        let json = #"{"id":"0A1B2C3D-4E5F-6071-8293-A4B5C6D7E8F9","name":"x","count":1,"ratio":1,"flag":true,"at":"2026-11-23T00:00:00Z","tags":["a",7],"nested":[]}"#
        do {
            _ = try decode(Row.self, json)
            Issue.record("decoded a number as a string")
        } catch {
            #expect(WireCoding.describe(error).contains("tags[1]"))
        }
        do {
            _ = try decode(Row.self, #"{"name":"x"}"#)
        } catch {
            #expect(WireCoding.describe(error) == "missing field 'id'")
        }
    }

    @Test func refusesDocumentsNestedTooDeep() throws {
        let deep = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        #expect(failure { try decode(JSONValue.self, deep) } == "dataCorrupted")
        let fine = String(repeating: "[", count: 100) + String(repeating: "]", count: 100)
        #expect(failure { try decode(JSONValue.self, fine) } == nil)
    }

    @Test func readsDynamicDocuments() throws {
        let json = #"{"b":[1,2.5,"s",true,null,{"c":{}}],"a":-0.0}"#
        #expect(try decode(JSONValue.self, json) == (try foundation(JSONValue.self, json)))
        #expect(try decode([String: [Int]].self, #"{"x":[1],"y":[]}"#) == ["x": [1], "y": []])
        #expect(try decode([String: String].self, #"{"b":"2","a":"\n"}"#) == ["a": "\n", "b": "2"])
        #expect(try decode([String].self, #"["x","\u0041"]"#) == ["x", "A"])
    }
}

/// The verbatim texts of parts of a parsed document (`WireParsed.text(at:)`, `elementTexts(at:)`).
@Suite struct WireParsedTextTests {
    static func text(_ slice: ArraySlice<UInt8>?) -> String? { slice.map { String(decoding: $0, as: UTF8.self) } }

    @Test func valuesComeOutAsTheyStandInTheText() throws {
        let parsed = try WireParsed(Array(#"{"a": {"b" : [1, "x\"y" ,{"c":null} , true]}, "s": "t\u00e9", "n": -1.5e3}"#.utf8))
        #expect(Self.text(parsed.text(at: ["a", "b"])) == #"[1, "x\"y" ,{"c":null} , true]"#)
        #expect(parsed.elementTexts(at: ["a", "b"])?.map { String(decoding: $0, as: UTF8.self) } == ["1", #""x\"y""#, #"{"c":null}"#, "true"])
        #expect(Self.text(parsed.text(at: ["s"])) == #""t\u00e9""#)
        #expect(Self.text(parsed.text(at: ["n"])) == "-1.5e3")
        #expect(Self.text(parsed.text(at: [])) == #"{"a": {"b" : [1, "x\"y" ,{"c":null} , true]}, "s": "t\u00e9", "n": -1.5e3}"#)
        #expect(parsed.elementTexts(at: ["a", "empty"]) == nil)
        #expect(try WireParsed(Array(#"{"e":[]}"#.utf8)).elementTexts(at: ["e"])?.isEmpty == true)
    }

    @Test func missingStepsAndNonObjectsAreNil() throws {
        let parsed = try WireParsed(Array(#"{"a":[{"b":1}],"s":"x"}"#.utf8))
        #expect(parsed.text(at: ["b"]) == nil)
        #expect(parsed.text(at: ["a", "b"]) == nil, "an array has no members")
        #expect(parsed.text(at: ["s", "x"]) == nil)
        #expect(parsed.elementTexts(at: ["s"]) == nil, "a string is not an array")
    }

    @Test func ofAKeyGivenTwiceTheLastCountsAndEscapedKeysMatch() throws {
        let parsed = try WireParsed(Array(#"{"k":1,"\u006b":[2],"k\"q":3}"#.utf8))
        #expect(Self.text(parsed.text(at: ["k"])) == "[2]")
        #expect(Self.text(parsed.text(at: ["k\"q"])) == "3")
    }
}
