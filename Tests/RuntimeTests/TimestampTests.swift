import Foundation
@testable import Runtime
import Testing

/// The hand-written fast paths must agree exactly with Foundation's ISO-8601 style they stand in for.
@Suite struct TimestampTests {
    static let foundation = Date.ISO8601FormatStyle(includingFractionalSeconds: true, timeZone: .gmt)

    /// Instants from 1970 to 9999, with sub-millisecond noise, plus the edges.
    static let samples: [Date] = {
        var generator = SystemRandomNumberGenerator()
        var dates = (0..<5_000).map { _ in Date(timeIntervalSince1970: Double.random(in: 0..<253_402_300_799, using: &generator)) }
        dates += [0, 0.0005, 0.999_9, 951_782_400, 1_763_784_627.123, 1_763_784_627.999_999, 253_402_300_799.999].map {
            Date(timeIntervalSince1970: $0)
        }
        return dates
    }()

    @Test func formatsAsFoundationDoes() throws {
        for date in Self.samples {
            #expect(Timestamp.fastFormat(date) == date.formatted(Self.foundation), "\(date.timeIntervalSince1970)")
        }
    }

    @Test func parsesWhatItFormatsToTheSameInstantAsFoundation() throws {
        for date in Self.samples {
            let text = Timestamp.format(date)
            let expected = try Self.foundation.parse(text)
            #expect(Timestamp.fastParse(text) == expected, "\(text)")
            let whole = String(text.prefix(19)) + "Z"
            #expect(Timestamp.fastParse(whole) == (try Date.ISO8601FormatStyle(timeZone: .gmt).parse(whole)), "\(whole)")
        }
    }

    @Test func leavesEverythingElseToFoundation() {
        for text in ["2026-02-30T00:00:00Z", "2026-11-22T04:10:27.123+01:00", "2026-11-22T04:10:27.1Z", "2026-11-22 04:10:27Z",
                     "1969-12-31T23:59:59Z", "2026-11-22T24:00:00Z", "2026-1a-22T04:10:27Z", "", "garbage"] {
            #expect(Timestamp.fastParse(text) == nil, "\(text)")
        }
        let offset = Timestamp.parse("2026-11-22T05:10:27.123+01:00"), utc = Timestamp.parse("2026-11-22T04:10:27.123Z")
        #expect(abs((offset?.timeIntervalSince1970 ?? 0) - (utc?.timeIntervalSince1970 ?? 1)) < 0.000_001)
        #expect(Timestamp.parse("not a time") == nil)
        #expect(Timestamp.fastFormat(Date(timeIntervalSince1970: -1)) == nil)
        #expect(Timestamp.format(Date(timeIntervalSince1970: -1)) == Date(timeIntervalSince1970: -1).formatted(Self.foundation))
    }
}
