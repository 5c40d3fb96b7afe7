import Foundation
import Postgres
import Testing

@Suite("Decoding errors name the column and the problem")
struct DecodingErrorTests {
    func decodingError(_ sql: String, _ decode: @escaping @Sendable (PostgresRow) throws -> Void) async throws -> PostgresError? {
        try await withClient("decerr") { client in
            try await client.withConnection { connection in
                let row = try connection.query(sql)[0]
                do { try decode(row) } catch let error as PostgresError { return error }
                return nil
            }
        }
    }

    @Test func nullForNonOptionalSaysNull() async throws {
        let error = try await decodingError("SELECT NULL::int AS n") { _ = try $0.int("n") }
        #expect(error?.code == .decoding)
        #expect(error?.message == "column \"n\" is NULL, expected Int")
    }

    @Test func missingColumnListsTheColumns() async throws {
        let error = try await decodingError("SELECT 1 AS a, 2 AS b") { _ = try $0.int("c") }
        #expect(error?.code == .decoding)
        #expect(error?.message == "no column \"c\" in result (columns: a, b)")
    }

    @Test func wrongTypeShowsTheText() async throws {
        let error = try await decodingError("SELECT 'abc' AS n") { _ = try $0.int("n") }
        #expect(error?.message == "column \"n\" holds \"abc\", which is not a valid Int")
        let overflow = try await decodingError("SELECT 99999999999999999999::numeric AS n") { _ = try $0.int64("n") }
        #expect(overflow?.code == .decoding)
        let uuid = try await decodingError("SELECT 'nope' AS u") { _ = try $0.uuid("u") }
        #expect(uuid?.code == .decoding)
        let json = try await decodingError("SELECT '{\"a\":1}'::jsonb AS j") { _ = try $0.json("j", as: [String].self) }
        #expect(json?.code == .decoding)
        #expect(json?.message.hasPrefix("column \"j\" holds JSON that does not decode as Array<String>") == true)
    }

    @Test func errorsAreNotRetriable() async throws {
        let error = try await decodingError("SELECT NULL::text AS s") { _ = try $0.string("s") }
        #expect(error?.isRetriable == false)
    }
}

@Suite("Text parsers")
struct TextParserTests {
    @Test func timestampFormatsLikePostgres() {
        let date = Date(timeIntervalSince1970: 1_714_566_600.123456)
        #expect(date.postgresText == "2024-05-01 12:30:00.123456+00")
        #expect(Date(timeIntervalSince1970: -0.5).postgresText == "1969-12-31 23:59:59.500000+00")
        // Foundation's distantPast is 1 Jan 1 AD in the Julian calendar; Postgres is proleptic Gregorian.
        #expect(Date.distantPast.postgresText == "0001-12-30 00:00:00.000000+00 BC")
    }

    @Test func arrayLiteralsQuoteEveryElement() {
        #expect(["a", "b,c", "d\"e", "f\\g", "NULL"].postgresText == #"{"a","b,c","d\"e","f\\g","NULL"}"#)
        #expect([String]().postgresText == "{}")
        #expect(["", "é—😀", "\"\"\\\\\"\""].postgresText == #"{"","é—😀","\"\"\\\\\"\""}"#, "every byte escaped: the worst case fits")
        let json = String(repeating: #"{"k":"v\n"},"#, count: 500)
        let expected = "{\"" + json.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\"}"
        #expect([json].postgresText == expected)
        #expect([Int64(1), -2].postgresText == "{1,-2}")
        #expect([UInt8]([0xde, 0xad]).postgresText == #"\xdead"#)
    }
}
