import Runtime
import Testing

@Suite struct ConsecutiveRunsTests {
    @Test func cutsWhereTheKeyChangesAndKeepsOrder() {
        let runs = ["a1", "a2", "b1", "a3", "a4", "c1"].consecutiveRuns { $0.first }
        #expect(runs.map(Array.init) == [["a1", "a2"], ["b1"], ["a3", "a4"], ["c1"]])
    }

    @Test func emptyGivesNoRunsAndOneKindGivesOne() {
        #expect([Int]().consecutiveRuns { $0 }.isEmpty)
        #expect([3, 3, 3].consecutiveRuns { $0 }.map(Array.init) == [[3, 3, 3]])
    }

    @Test func everyElementIsKeptExactlyOnce() {
        let values = (0..<1000).map { ($0 * 7919) % 13 % 3 }
        let runs = values.consecutiveRuns { $0 }
        #expect(runs.flatMap { $0 } == values)
        for (left, right) in zip(runs, runs.dropFirst()) { #expect(left.first != right.first) }
    }
}
