@testable import Contracts
import Foundation
import Testing

@Suite struct TimeOrderedUUIDTests {
    /// Bytes 6 and 8 carry the version (7) and the variant (binary 10).
    @Test func carriesVersionSevenAndTheRFCVariant() {
        for _ in 0..<100 {
            let id = UUID.timeOrdered()
            #expect(id.uuid.6 >> 4 == 7)
            #expect(id.uuid.8 >> 6 == 0b10)
        }
    }

    @Test func startsWithTheUnixMilliseconds() {
        // 125 ms and 2,000/4,096 of a millisecond, exact in binary.
        let date = Date(timeIntervalSince1970: 1_795_000_000.125 + 1.0 / 2_048)
        let id = UUID.timeOrdered(at: date, random: 0)
        let bytes = [id.uuid.0, id.uuid.1, id.uuid.2, id.uuid.3, id.uuid.4, id.uuid.5]
        let milliseconds = bytes.reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        #expect(milliseconds == 1_795_000_000_125)
        let fraction = UInt64(id.uuid.6 & 0x0F) << 8 | UInt64(id.uuid.7)
        #expect(fraction == 2_000)
    }

    /// Ids of later moments sort after earlier ones, as text too (how Postgres's uuid and the
    /// logs order them), whatever their random bits.
    @Test func sortsByTime() {
        let start = Date(timeIntervalSince1970: 1_795_000_000)
        let ids = (0..<1_000).map { UUID.timeOrdered(at: start.addingTimeInterval(Double($0) * 0.000_3), random: UInt64.random(in: 0...UInt64.max)) }
        #expect(ids.map(\.key) == ids.map(\.key).sorted())
    }

    @Test func randomBitsKeepIdsOfOneMomentApart() {
        let date = Date()
        let ids = Set((0..<10_000).map { _ in UUID.timeOrdered(at: date) })
        #expect(ids.count == 10_000)
        #expect(UUID.timeOrdered(at: date, random: 0) != UUID.timeOrdered(at: date, random: UInt64.max))
    }

    @Test func envelopesGetTimeOrderedIds() {
        let envelope = Envelope(tenant: "acme", payload: Alert(kind: "k", severity: "s", summary: "x", runID: nil, workflow: nil))
        #expect(envelope.id.uuid.6 >> 4 == 7)
    }
}
