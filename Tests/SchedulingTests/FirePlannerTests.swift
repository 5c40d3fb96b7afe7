import Foundation
import Testing
@testable import Scheduling

/// The scheduler's per-tick decisions with an injected clock: on-time and late fires, each misfire
/// policy after an outage, jitter, the end of a schedule, and the overlap rules.
@Suite struct FirePlannerTests {
    private func plan(_ cron: String, misfire: MisfirePolicy = .runLatest, grace: TimeInterval = 60, catchUpLimit: Int = 50,
                      end: String? = nil, delay: TimeInterval = 0, pending: String, now: String) throws -> (fires: [String], dropped: Int, next: String?) {
        let schedule = try Schedule(cron, end: end)
        let planner = FirePlanner(rule: schedule.rule, misfire: misfire, grace: grace, catchUpLimit: catchUpLimit, delay: { _ in delay })
        let result = planner.plan(pending: try instant(pending, in: schedule.zone), now: try instant(now, in: schedule.zone))
        let format = { (date: Date) in ISO8601Local.format(date, in: schedule.zone) }
        return (result.fires.map(format), result.dropped, result.next.map(format))
    }

    @Test func onTimeFireIsFiredAndTheScheduleMovesOn() throws {
        let result = try plan("* * * * *", pending: "2026-05-04T10:00:00Z", now: "2026-05-04T10:00:01Z")
        #expect(result.fires == ["2026-05-04T10:00:00+00:00"])
        #expect(result.dropped == 0 && result.next == "2026-05-04T10:01:00+00:00")
    }

    @Test func nothingIsDueBeforeTheFireTime() throws {
        let result = try plan("* * * * *", pending: "2026-05-04T10:01:00Z", now: "2026-05-04T10:00:59Z")
        #expect(result.fires.isEmpty && result.next == "2026-05-04T10:01:00+00:00")
    }

    /// A leader change or a short outage only delays fires: every one inside the grace is fired.
    @Test func lateFiresWithinTheGraceAreAllFiredOldestFirst() throws {
        let result = try plan("* * * * * *", misfire: .skip, grace: 60, pending: "2026-05-04T10:00:00Z", now: "2026-05-04T10:00:05Z")
        #expect(result.fires == (0...5).map { "2026-05-04T10:00:0\($0)+00:00" })
        #expect(result.dropped == 0 && result.next == "2026-05-04T10:00:06+00:00")
    }

    @Test func misfireSkipDropsEveryMissedFire() throws {
        let result = try plan("0 * * * *", misfire: .skip, pending: "2026-05-04T01:00:00Z", now: "2026-05-04T05:30:00Z")
        #expect(result.fires.isEmpty && result.dropped == 5 && result.next == "2026-05-04T06:00:00+00:00")
    }

    @Test func misfireRunLatestFiresOnceForTheMostRecentMissedTime() throws {
        let result = try plan("0 * * * *", misfire: .runLatest, pending: "2026-05-04T01:00:00Z", now: "2026-05-04T05:30:00Z")
        #expect(result.fires == ["2026-05-04T05:00:00+00:00"] && result.dropped == 4)
        #expect(result.next == "2026-05-04T06:00:00+00:00")
    }

    @Test func misfireCatchUpFiresTheMostRecentMissedTimesOldestFirstUpToTheLimit() throws {
        let limited = try plan("0 * * * *", misfire: .catchUp, catchUpLimit: 3, pending: "2026-05-04T01:00:00Z", now: "2026-05-04T05:30:00Z")
        #expect(limited.fires == ["2026-05-04T03:00:00+00:00", "2026-05-04T04:00:00+00:00", "2026-05-04T05:00:00+00:00"])
        #expect(limited.dropped == 2)
        let all = try plan("0 * * * *", misfire: .catchUp, catchUpLimit: 50, pending: "2026-05-04T01:00:00Z", now: "2026-05-04T05:30:00Z")
        #expect(all.fires == (1...5).map { "2026-05-04T0\($0):00:00+00:00" } && all.dropped == 0)
    }

    /// Missed fires (older than the grace) follow the policy; the ones inside the grace still fire.
    @Test func missedAndOnTimeFiresCombine() throws {
        let result = try plan("* * * * *", misfire: .runLatest, grace: 120, pending: "2026-05-04T10:00:00Z", now: "2026-05-04T10:10:30Z")
        #expect(result.fires == ["2026-05-04T10:08:00+00:00", "2026-05-04T10:09:00+00:00", "2026-05-04T10:10:00+00:00"])
        #expect(result.dropped == 8 && result.next == "2026-05-04T10:11:00+00:00")
    }

    /// A per-second schedule after a month down: the plan stays small and cheap.
    @Test func longOutageOfADenseScheduleIsBounded() throws {
        let result = try plan("* * * * * *", misfire: .catchUp, grace: 10, catchUpLimit: 3,
                              pending: "2026-04-01T00:00:00Z", now: "2026-05-01T00:00:00Z")
        #expect(result.fires.prefix(3) == ["2026-04-30T23:59:47+00:00", "2026-04-30T23:59:48+00:00", "2026-04-30T23:59:49+00:00"])
        #expect(result.fires.count == 14, "3 caught up, then the 11 inside the grace")
        #expect(result.dropped >= FirePlanner.countLimit - 3)
    }

    @Test func jitterDelaysTheFireButNotItsLogicalTime() throws {
        let early = try plan("0 * * * *", delay: 20, pending: "2026-05-04T10:00:00Z", now: "2026-05-04T10:00:10Z")
        #expect(early.fires.isEmpty && early.next == "2026-05-04T10:00:00+00:00")
        let due = try plan("0 * * * *", delay: 20, pending: "2026-05-04T10:00:00Z", now: "2026-05-04T10:00:25Z")
        #expect(due.fires == ["2026-05-04T10:00:00+00:00"])
    }

    @Test func aScheduleEndsAfterItsLastFire() throws {
        let result = try plan("0 * * * *", end: "2026-05-04T10:30:00Z", pending: "2026-05-04T10:00:00Z", now: "2026-05-04T10:00:01Z")
        #expect(result.fires == ["2026-05-04T10:00:00+00:00"] && result.next == nil)
    }

    @Test func jitterIsStableAndBounded() {
        let time = Date(timeIntervalSince1970: 1_800_000_000)
        let delays = (0..<200).map { FireJitter.delay(key: "acme/report/s\($0)", logicalTime: time, maximum: 30) }
        #expect(delays.allSatisfy { (0..<30).contains($0) })
        #expect(Set(delays).count > 10, "delays spread over the range")
        #expect(FireJitter.delay(key: "acme/report/s1", logicalTime: time, maximum: 30) == delays[1])
        #expect(FireJitter.delay(key: "k", logicalTime: time, maximum: 0) == 0)
    }

    @Test(arguments: [
        (OverlapPolicy.skip, 0, 0, nil as Int?, OverlapDecision.start),
        (.skip, 1, 0, nil, .skip(reason: "a run is still active (overlap: skip)")),
        (.bufferOne, 0, 0, nil, .start),
        (.bufferOne, 1, 0, nil, .queue(reason: "a run is still active (overlap: bufferOne)")),
        (.bufferOne, 1, 1, nil, .skip(reason: "one fire is already buffered (overlap: bufferOne)")),
        (.allowAll, 5, 0, nil, .start),
        (.allowAll, 2, 0, 2, .queue(reason: "maxActiveRuns (2) reached")),
        (.allowAll, 0, 1, 2, .queue(reason: "earlier fires are waiting")),
        (.cancelPrevious, 0, 0, nil, .start),
        (.cancelPrevious, 2, 0, nil, .cancelActiveAndStart),
    ])
    func overlapDecisions(policy: OverlapPolicy, active: Int, queued: Int, maxActiveRuns: Int?, expected: OverlapDecision) {
        #expect(OverlapDecision.decide(policy, active: active, queued: queued, maxActiveRuns: maxActiveRuns) == expected)
    }

    @Test func queuedFiresStartWhenTheirPolicyHasRoom() {
        #expect(OverlapDecision.drainLimit(.bufferOne, maxActiveRuns: 5) == 1, "a buffered fire waits for the active run to end")
        #expect(OverlapDecision.drainLimit(.allowAll, maxActiveRuns: 3) == 3)
        #expect(OverlapDecision.drainLimit(nil, maxActiveRuns: nil) == Int.max, "backfills without a limit all start")
    }
}
