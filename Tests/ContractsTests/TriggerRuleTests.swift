import Contracts
import Testing

/// `TriggerRule.decide`: the full decision table, early decisions, and finality (a verdict other
/// than `wait` never changes, whatever the remaining upstream tasks do).
@Suite struct TriggerRuleTests {
    struct Row: Sendable, CustomTestStringConvertible {
        let rule: TriggerRule
        let total: Int
        let succeeded: Int
        let failed: Int
        let skipped: Int
        let expected: Readiness

        init(_ rule: TriggerRule, _ total: Int, s: Int = 0, f: Int = 0, k: Int = 0, _ expected: Readiness) {
            self.rule = rule
            self.total = total
            succeeded = s
            failed = f
            skipped = k
            self.expected = expected
        }

        var tally: UpstreamTally { UpstreamTally(total: total, succeeded: succeeded, failed: failed, skipped: skipped) }
        var testDescription: String { "\(rule) total=\(total) s=\(succeeded) f=\(failed) k=\(skipped) -> \(expected)" }
    }

    static let table: [Row] = [
        // allSuccess: a failure decides at once; otherwise wait for all, skipped wins over run.
        Row(.allSuccess, 3, .wait),
        Row(.allSuccess, 3, s: 2, .wait),
        Row(.allSuccess, 3, s: 3, .run),
        Row(.allSuccess, 3, f: 1, .upstreamFailed),
        Row(.allSuccess, 3, s: 1, f: 1, .upstreamFailed),
        Row(.allSuccess, 3, k: 1, .wait),
        Row(.allSuccess, 3, s: 1, k: 2, .skip),
        Row(.allSuccess, 3, s: 2, k: 1, .skip),
        Row(.allSuccess, 3, f: 1, k: 2, .upstreamFailed),
        Row(.allSuccess, 1, k: 1, .skip),
        // allFailed: a success or skip decides (skip) at once; all failed runs.
        Row(.allFailed, 3, .wait),
        Row(.allFailed, 3, f: 2, .wait),
        Row(.allFailed, 3, f: 3, .run),
        Row(.allFailed, 3, s: 1, .skip),
        Row(.allFailed, 3, k: 1, .skip),
        Row(.allFailed, 3, s: 1, f: 2, .skip),
        Row(.allFailed, 3, f: 2, k: 1, .skip),
        // allDone: waits for every upstream, then runs.
        Row(.allDone, 3, .wait),
        Row(.allDone, 3, s: 1, f: 1, .wait),
        Row(.allDone, 3, s: 1, f: 1, k: 1, .run),
        Row(.allDone, 3, f: 3, .run),
        Row(.allDone, 3, k: 3, .run),
        // oneSuccess: one success runs at once; none → failed beats skipped.
        Row(.oneSuccess, 3, .wait),
        Row(.oneSuccess, 3, s: 1, .run),
        Row(.oneSuccess, 3, f: 2, .wait),
        Row(.oneSuccess, 3, s: 1, f: 2, .run),
        Row(.oneSuccess, 3, f: 1, k: 2, .upstreamFailed),
        Row(.oneSuccess, 3, f: 3, .upstreamFailed),
        Row(.oneSuccess, 3, k: 3, .skip),
        Row(.oneSuccess, 3, k: 2, .wait),
        // oneFailed: one failure runs at once; none → skipped.
        Row(.oneFailed, 3, .wait),
        Row(.oneFailed, 3, f: 1, .run),
        Row(.oneFailed, 3, s: 2, .wait),
        Row(.oneFailed, 3, s: 2, k: 1, .skip),
        Row(.oneFailed, 3, s: 3, .skip),
        Row(.oneFailed, 3, s: 2, f: 1, .run),
        // noneFailed: a failure decides at once; skips are fine.
        Row(.noneFailed, 3, .wait),
        Row(.noneFailed, 3, f: 1, .upstreamFailed),
        Row(.noneFailed, 3, s: 1, k: 1, .wait),
        Row(.noneFailed, 3, s: 1, k: 2, .run),
        Row(.noneFailed, 3, k: 3, .run),
        Row(.noneFailed, 3, s: 2, f: 1, .upstreamFailed),
        // noneSkipped: a skip decides at once; failures are fine.
        Row(.noneSkipped, 3, .wait),
        Row(.noneSkipped, 3, k: 1, .skip),
        Row(.noneSkipped, 3, s: 1, f: 1, .wait),
        Row(.noneSkipped, 3, s: 1, f: 2, .run),
        Row(.noneSkipped, 3, f: 3, .run),
        Row(.noneSkipped, 3, f: 2, k: 1, .skip),
        // always: runs at once, whatever happened or not yet.
        Row(.always, 3, .run),
        Row(.always, 3, f: 3, .run),
        Row(.always, 3, k: 1, .run),
        Row(.always, 3, s: 1, f: 1, k: 1, .run),
    ]

    @Test(arguments: table) func decisionTable(_ row: Row) {
        #expect(row.rule.decide(row.tally) == row.expected)
    }

    @Test(arguments: TriggerRule.allCases) func taskWithoutUpstreamRuns(_ rule: TriggerRule) {
        #expect(rule.decide(UpstreamTally(total: 0)) == .run)
    }

    @Test func defaultTallyCountsNothing() {
        var tally = UpstreamTally(total: 3)
        #expect(tally.done == 0 && !tally.allDone)
        tally.add(.succeeded)
        tally.add(.failed)
        tally.add(.skipped)
        #expect(tally == UpstreamTally(total: 3, succeeded: 1, failed: 1, skipped: 1))
        #expect(tally.done == 3 && tally.allDone)
    }

    // MARK: - Properties

    /// The verdict once every upstream result is in, written independently from the rule docs.
    static func finalVerdict(_ rule: TriggerRule, _ tally: UpstreamTally) -> Readiness {
        if tally.total == 0 { return .run }
        let (s, f, k) = (tally.succeeded, tally.failed, tally.skipped)
        switch rule {
        case .allSuccess: return f > 0 ? .upstreamFailed : (k > 0 ? .skip : .run)
        case .allFailed: return s > 0 || k > 0 ? .skip : .run
        case .allDone, .always: return .run
        case .oneSuccess: return s > 0 ? .run : (f > 0 ? .upstreamFailed : .skip)
        case .oneFailed: return f > 0 ? .run : .skip
        case .noneFailed: return f > 0 ? .upstreamFailed : .run
        case .noneSkipped: return k > 0 ? .skip : .run
        }
    }

    /// Every way the remaining upstream tasks of `partial` can end (as counts).
    static func completions(of partial: UpstreamTally) -> [UpstreamTally] {
        let remaining = partial.total - partial.done
        var result: [UpstreamTally] = []
        for s in 0...remaining {
            for f in 0...(remaining - s) {
                let k = remaining - s - f
                result.append(UpstreamTally(total: partial.total, succeeded: partial.succeeded + s,
                                            failed: partial.failed + f, skipped: partial.skipped + k))
            }
        }
        return result
    }

    /// Checks finality for one partial tally; returns a description of the first violation.
    static func finalityViolation(_ rule: TriggerRule, _ partial: UpstreamTally) -> String? {
        let early = rule.decide(partial)
        for full in completions(of: partial) {
            let late = rule.decide(full)
            if late == .wait { return "\(rule) waits on a complete tally \(full)" }
            if late != finalVerdict(rule, full) { return "\(rule) decides \(late) on \(full), the rules say \(finalVerdict(rule, full))" }
            if early != .wait, early != late { return "\(rule) decided \(early) on \(partial) but \(late) on \(full)" }
        }
        return nil
    }

    /// Every partial tally with at most `maxTotal` upstream tasks.
    static func partialTallies(maxTotal: Int) -> [UpstreamTally] {
        var result: [UpstreamTally] = []
        for total in 0...maxTotal {
            for s in 0...total {
                for f in 0...(total - s) {
                    for k in 0...(total - s - f) {
                        result.append(UpstreamTally(total: total, succeeded: s, failed: f, skipped: k))
                    }
                }
            }
        }
        return result
    }

    @Test(arguments: TriggerRule.allCases) func verdictsAreFinalForEverySmallTally(_ rule: TriggerRule) {
        for partial in Self.partialTallies(maxTotal: 6) {
            let violation = Self.finalityViolation(rule, partial)
            #expect(violation == nil, "\(violation ?? "")")
        }
    }

    @Test(arguments: [0x5EED_0001, 0xC0FF_EE00, 0xDEAD_BEEF] as [UInt64])
    func verdictsAreFinalForRandomTallies(seed: UInt64) {
        var random = EngineTestRandom(seed: seed)
        for _ in 0..<400 {
            let total = Int.random(in: 0...40, using: &random)
            let s = Int.random(in: 0...total, using: &random)
            let f = Int.random(in: 0...(total - s), using: &random)
            let k = Int.random(in: 0...(total - s - f), using: &random)
            let partial = UpstreamTally(total: total, succeeded: s, failed: f, skipped: k)
            for rule in TriggerRule.allCases {
                let violation = Self.finalityViolation(rule, partial)
                #expect(violation == nil, "seed \(seed): \(violation ?? "")")
            }
        }
    }

    /// Decisions are also as early as possible: when every completion agrees, the rule does not
    /// wait — except `allDone`, which waits for every upstream task by definition.
    @Test(arguments: TriggerRule.allCases.filter { $0 != .allDone }) func decidesAsSoonAsTheOutcomeIsKnown(_ rule: TriggerRule) {
        for partial in Self.partialTallies(maxTotal: 6) {
            let outcomes = Set(Self.completions(of: partial).map { "\(Self.finalVerdict(rule, $0))" })
            if outcomes.count == 1 {
                #expect(rule.decide(partial) != .wait, "\(rule) waits on \(partial) though every completion gives \(outcomes)")
            } else {
                #expect(rule.decide(partial) == .wait, "\(rule) decides on \(partial) though completions give \(outcomes.sorted())")
            }
        }
    }

    @Test func allDoneWaitsUntilTheLastUpstreamEvenThoughItAlwaysRuns() {
        #expect(TriggerRule.allDone.decide(UpstreamTally(total: 2, failed: 1)) == .wait)
        #expect(TriggerRule.allDone.decide(UpstreamTally(total: 2, failed: 1, skipped: 1)) == .run)
    }

    @Test func rawValuesAreTheDefinitionNames() {
        #expect(TriggerRule.allCases.map(\.rawValue) == [
            "allSuccess", "allFailed", "allDone", "oneSuccess", "oneFailed", "noneFailed", "noneSkipped", "always",
        ])
    }
}

/// SplitMix64: a tiny, seedable generator so random tests repeat exactly for a printed seed.
struct EngineTestRandom: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
