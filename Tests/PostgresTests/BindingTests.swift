import Foundation
import Postgres
import Testing

@Suite("Binding and decoding round trips")
struct BindingTests {
    @Test func scalarTypesRoundTrip() async throws {
        try await withClient("bind") { client in
            let id = UUID()
            let when = Date(timeIntervalSince1970: 1_714_566_600.123456)
            let row = try await client.withConnection { connection in
                let rows = try connection.query("""
                    SELECT $1::text AS s, $2::int8 AS i, $3::int4 AS i32, $4::int8 AS i64, $5::float8 AS d,
                           $6::bool AS b, $7::timestamptz AS ts, $8::uuid AS u, $9::bytea AS bin, $10::bool AS f
                    """, ["héllo 'wörld' \"quoted\" \\ 🚀", Int.min, Int32.max, Int64.max, 0.1, true, when, id,
                          [UInt8]([0, 1, 0xfe, 0xff]), false])
                let row = rows[0]
                return try Decoded(
                    s: row.string("s"), i: row.int("i"), i32: row.int("i32"), i64: row.int64("i64"),
                    d: row.double("d"), b: row.bool("b"), f: row.bool("f"), ts: row.date("ts"),
                    u: row.uuid("u"), bin: row.bytes("bin"))
            }
            #expect(row.s == "héllo 'wörld' \"quoted\" \\ 🚀")
            #expect(row.i == Int.min)
            #expect(row.i32 == Int(Int32.max))
            #expect(row.i64 == Int64.max)
            #expect(row.d == 0.1)
            #expect(row.b == true)
            #expect(row.f == false)
            #expect(abs(row.ts.timeIntervalSince(when)) < 0.000_001)
            #expect(row.u == id)
            #expect(row.bin == [0, 1, 0xfe, 0xff])
        }
    }

    struct Decoded: Sendable {
        var s: String, i: Int, i32: Int, i64: Int64, d: Double, b: Bool, f: Bool, ts: Date, u: UUID, bin: [UInt8]
    }

    @Test func nullsBindAndDecodeAsNil() async throws {
        try await withClient("null") { client in
            let values = try await client.withConnection { connection in
                let row = try connection.query("SELECT $1::text AS s, $2::int8 AS i, $3::timestamptz AS ts, $4::uuid AS u",
                                               [String?.none, Int?.none, Date?.none, UUID?.none])[0]
                return try [row.optionalString("s") == nil, row.optionalInt("i") == nil,
                            row.optionalDate("ts") == nil, row.optionalUUID("u") == nil, row.isNull("s")]
            }
            #expect(values == [true, true, true, true, true])
        }
    }

    @Test func optionalWithValueBindsTheValue() async throws {
        try await withClient("opt") { client in
            let text = try await client.withConnection { connection in
                try connection.query("SELECT $1::text AS s", [String?.some("x")])[0].optionalString("s")
            }
            #expect(text == "x")
        }
    }

    @Test func specialDoublesRoundTrip() async throws {
        try await withClient("dbl") { client in
            let values = try await client.withConnection { connection in
                let row = try connection.query("SELECT $1::float8 AS a, $2::float8 AS b, $3::float8 AS c, $4::float8 AS d",
                                               [Double.infinity, -Double.infinity, Double.nan, 1e-300])[0]
                return try [row.double("a"), row.double("b"), row.double("c"), row.double("d")]
            }
            #expect(values[0] == .infinity)
            #expect(values[1] == -.infinity)
            #expect(values[2].isNaN)
            #expect(values[3] == 1e-300)
        }
    }

    @Test func stringArrayWithAwkwardElementsMatchesAny() async throws {
        try await withClient("arr") { client in
            let awkward = ["plain", "🚀 \"x\" \\ é", "with,comma", "with \"quote\"", "back\\slash", "{braces}", "NULL", "", " spaced ", "ünï"]
            let found = try await client.withConnection { connection in
                try connection.executeScript("CREATE TABLE t (name text)")
                for name in awkward + ["other"] { try connection.execute("INSERT INTO t VALUES ($1)", [name]) }
                return try connection.query("SELECT name FROM t WHERE name = ANY($1) ORDER BY name", [awkward])
                    .map { try $0.string("name") }
            }
            #expect(found == awkward.sorted())
        }
    }

    @Test func integerAndUUIDArraysMatchAny() async throws {
        try await withClient("arrint") { client in
            let ids = [UUID(), UUID()]
            let result = try await client.withConnection { connection in
                try connection.executeScript("CREATE TABLE t (n bigint, u uuid)")
                for n in Int64(1)...5 { try connection.execute("INSERT INTO t VALUES ($1, $2)", [n, n <= 2 ? ids[Int(n) - 1] : UUID()]) }
                let numbers = try connection.query("SELECT n FROM t WHERE n = ANY($1) ORDER BY n", [[Int64(2), 4, 99]])
                    .map { try $0.int64("n") }
                let byUUID = try connection.query("SELECT n FROM t WHERE u = ANY($1) ORDER BY n", [ids]).map { try $0.int("n") }
                let none = try connection.query("SELECT n FROM t WHERE n = ANY($1)", [[Int64]()]).count
                return (numbers, byUUID, none)
            }
            #expect(result.0 == [2, 4])
            #expect(result.1 == [1, 2])
            #expect(result.2 == 0)
        }
    }

    @Test func jsonRoundTripsThroughJsonb() async throws {
        struct Payload: Codable, Equatable, Sendable { var name: String; var at: Date; var tags: [String] }
        try await withClient("json") { client in
            let payload = Payload(name: "x\"y", at: Date(timeIntervalSince1970: 1_700_000_000.5), tags: ["a", "b"])
            let back = try await client.withConnection { connection in
                try connection.query("SELECT $1::jsonb AS j", [try PostgresJSON(payload)])[0].json("j", as: Payload.self)
            }
            #expect(back == payload)
        }
    }

    @Test func datesAtTheEdgesRoundTrip() async throws {
        try await withClient("dates") { client in
            let dates = [Date(timeIntervalSince1970: 0), Date(timeIntervalSince1970: -1.5), Date.distantPast,
                         Date(timeIntervalSince1970: 253_402_300_799.999999)]
            let back = try await client.withConnection { connection in
                try dates.map { date in try connection.query("SELECT $1::timestamptz AS ts", [date])[0].date("ts") }
            }
            for (sent, received) in zip(dates, back) { #expect(abs(sent.timeIntervalSince(received)) < 0.000_002) }
            let infinite = try await client.withConnection { connection in
                let row = try connection.query("SELECT 'infinity'::timestamptz AS a, '-infinity'::timestamptz AS b, DATE '2024-02-29' AS c")[0]
                return try [row.date("a"), row.date("b"), row.date("c")]
            }
            #expect(infinite == [.distantFuture, .distantPast, Date(timeIntervalSince1970: 1_709_164_800)])
        }
    }

    @Test func affectedRowsAreReported() async throws {
        try await withClient("affected") { client in
            let counts = try await client.withConnection { connection in
                try connection.executeScript("CREATE TABLE t (n int); INSERT INTO t SELECT generate_series(1, 10)")
                let updated = try connection.execute("UPDATE t SET n = n + 1 WHERE n > $1", [7])
                let deleted = try connection.query("DELETE FROM t WHERE n < $1 RETURNING n", [3]).affectedRows
                return [updated, deleted]
            }
            #expect(counts == [3, 2])
        }
    }

    @Test func parameterWithNULByteIsRejected() async throws {
        try await withClient("nul") { client in
            await #expect(throws: PostgresError.self) {
                try await client.withConnection { connection in try connection.query("SELECT $1::text", ["a\u{0}b"]) }
            }
        }
    }
}
