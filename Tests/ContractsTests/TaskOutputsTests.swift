import Contracts
import Testing

@Suite struct TaskOutputsTests {
    private func parse(_ text: String) throws(TaskOutputError) -> [String: String] {
        try TaskOutputs.parse(Array(text.utf8))
    }

    private func problem(_ bytes: [UInt8]) -> String? {
        do {
            _ = try TaskOutputs.parse(bytes)
            return nil
        } catch {
            return error.description
        }
    }

    @Test func emptyFileHasNoOutputs() throws {
        #expect(try TaskOutputs.parse([]).isEmpty)
        #expect(try parse("\n\n").isEmpty)
    }

    @Test func readsKeyValueLinesIgnoringBlankLinesAndComments() throws {
        let outputs = try parse("rows=42\n\n# a comment\n   \nfile=/tmp/out.csv\nlast=no newline")
        #expect(outputs == ["rows": "42", "file": "/tmp/out.csv", "last": "no newline"])
    }

    @Test func valueIsEverythingAfterTheFirstEqualsSignUntrimmed() throws {
        let outputs = try parse("query=a=b and c=d\nspaced=  padded  \nempty=\n")
        #expect(outputs == ["query": "a=b and c=d", "spaced": "  padded  ", "empty": ""])
    }

    @Test func trailingCarriageReturnIsDropped() throws {
        #expect(try parse("rows=42\r\nname=x\r\r\n") == ["rows": "42", "name": "x\r"])
    }

    @Test func laterDuplicateKeyWins() throws {
        #expect(try parse("rows=1\nrows=2\n") == ["rows": "2"])
    }

    @Test func unicodeValuesAreKept() throws {
        #expect(try parse("city=Zürich 東京\n") == ["city": "Zürich 東京"])
    }

    @Test func lineWithoutEqualsSignIsRejectedNamingTheLine() {
        let message = problem(Array("rows=1\nhello world\n".utf8))
        #expect(message?.hasPrefix("line 2: expected key=value") == true, "\(message ?? "accepted")")
    }

    @Test func invalidKeysAreRejected() {
        for line in ["=42", "row s=1", " rows=1", "rows =1", "WL-X=1", "x.y=1", String(repeating: "k", count: 65) + "=1"] {
            let message = problem(Array("ok=1\n\(line)\n".utf8))
            #expect(message?.hasPrefix("line 2: ") == true && message?.contains("not a valid key") == true, "\(line): \(message ?? "accepted")")
        }
        #expect(problem(Array((String(repeating: "k", count: 64) + "=1").utf8)) == nil)
    }

    @Test func invalidUTF8IsRejectedNamingTheLine() {
        let bytes = Array("a=1\nb=2\n".utf8) + [UInt8(ascii: "c"), UInt8(ascii: "="), 0xFF, 0xFE] + Array("\n".utf8)
        #expect(problem(bytes) == "line 3: not valid UTF-8")
    }

    @Test func sizeLimitIsInclusive() {
        let filler = "v=" + String(repeating: "x", count: DefinitionLimits.maxOutputBytes - 2)
        #expect(problem(Array(filler.utf8)) == nil)
        let message = problem(Array((filler + "x").utf8))
        #expect(message?.contains("more than the \(DefinitionLimits.maxOutputBytes) allowed") == true, "\(message ?? "accepted")")
    }

    @Test func keyLimitCountsDistinctKeys() throws {
        let allowed = (1...DefinitionLimits.maxOutputKeys).map { "k\($0)=\($0)" }
        #expect(try parse((allowed + allowed).joined(separator: "\n")).count == DefinitionLimits.maxOutputKeys)
        let message = problem(Array((allowed + ["one_more=1"]).joined(separator: "\n").utf8))
        #expect(message == "line \(DefinitionLimits.maxOutputKeys + 1): more than \(DefinitionLimits.maxOutputKeys) keys")
    }

    @Test func longBadLinesAreShortenedInTheMessage() {
        let message = problem(Array(String(repeating: "z", count: 1_000).utf8)) ?? ""
        #expect(message.count < 100 && message.hasSuffix("…'"), "\(message)")
    }
}
