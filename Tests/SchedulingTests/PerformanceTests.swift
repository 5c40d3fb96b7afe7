import Foundation
import Testing
@testable import Scheduling

/// Generous bounds (debug build, shared CI machines) that still fail if the planner regresses to
/// scanning second by second or day by day without skipping.
@Suite struct PerformanceTests {
    private func seconds(_ work: () throws -> Void) rethrows -> Double {
        let clock = ContinuousClock()
        let elapsed = try clock.measure(work)
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }

    @Test func everySecondScheduleIsCheapPerCall() throws {
        let schedule = try Schedule("* * * * * *", in: "Europe/Berlin")
        var current = try instant("2026-03-29T01:59:00+01:00", in: schedule.zone)
        let elapsed = seconds {
            for _ in 0..<10_000 {
                guard let fire = schedule.rule.next(after: current) else { return }
                current = fire
            }
        }
        #expect(ISO8601Local.format(current, in: schedule.zone) == "2026-03-29T05:45:40+02:00")
        #expect(elapsed < 2, "10k next() calls took \(elapsed)s")
    }

    @Test func impossibleScheduleGivesUpQuickly() throws {
        let schedule = try Schedule("0 0 30 2 *", in: "Europe/Berlin")
        let sparse = try Schedule("0 0 31 * *", in: "Europe/Berlin", businessDay: 100)
        var results: [String?] = []
        let elapsed = try seconds {
            results = [try schedule.next(after: "2026-01-01T00:00:00Z"), try sparse.next(after: "2026-01-01T00:00:00Z")]
        }
        #expect(results == [nil, nil])
        #expect(elapsed < 2, "took \(elapsed)s")
    }

    @Test func instantsOutsideSupportedYearsEndTheSearch() throws {
        let schedule = try Schedule("0 0 * * *")
        #expect(schedule.rule.next(after: Date(timeIntervalSince1970: 1e15)) == nil)
        let early = try #require(schedule.rule.next(after: .distantPast))
        #expect(ISO8601Local.format(early, in: schedule.zone) == "0001-01-01T00:00:00+00:00")
        #expect(schedule.rule.fires(after: .distantPast, through: Date(timeIntervalSince1970: 1e15), limit: 2).count == 2)
    }
}

extension PerformanceTests {
    @Test func everySecondThroughAFallBackOverlap() throws {
        let schedule = try Schedule("* * * * * *", in: "Europe/Berlin")
        var fires: [Date] = []
        let elapsed = try seconds {
            fires = try schedule.rule.fires(
                after: instant("2026-10-25T01:59:59+02:00", in: schedule.zone),
                through: instant("2026-10-25T03:00:00+01:00", in: schedule.zone), limit: 10_000)
        }
        // 02:00:00-02:59:59 twice, then 03:00:00: two hours and a second of elapsed time.
        #expect(fires.count == 7201)
        #expect(zip(fires, fires.dropFirst()).allSatisfy { $1.timeIntervalSince($0) == 1 })
        let fromSecondPass = try schedule.next(after: "2026-10-25T02:30:00+01:00")
        #expect(fromSecondPass == "2026-10-25T02:30:01+01:00")
        #expect(elapsed < 2, "took \(elapsed)s")
    }
}
