import Contracts
import Testing

@Suite struct WorkflowGraphTests {
    private func graph(_ edges: [(String, [String])]) -> WorkflowGraph {
        WorkflowGraph(WorkflowDefinition(name: "g", tasks: edges.map { TaskDefinition(id: $0.0, run: .shell("true"), after: $0.1) }))
    }

    @Test func fanOutFanInHasOneRootAndCountsParents() {
        var edges: [(String, [String])] = [("start", [])]
        let middle = (0..<50).map { "m\($0)" }
        edges += middle.map { ($0, ["start"]) }
        edges.append(("end", middle))
        let graph = graph(edges)
        #expect(graph.roots == ["start"])
        #expect(graph.children(of: "start").count == 50)
        #expect(graph.parentCount(of: "end") == 50)
        #expect(Set(graph.descendants(of: "start")) == Set(middle + ["end"]))
        #expect(graph.cycle() == nil)
    }

    @Test func duplicateUpstreamNamesCountOnce() {
        let graph = graph([("a", []), ("b", ["a", "a"])])
        #expect(graph.parentCount(of: "b") == 1)
    }

    @Test func longChainHasNoCycleAndDoesNotOverflow() {
        let edges = (0..<10_000).map { ("t\($0)", $0 == 0 ? [] : ["t\($0 - 1)"]) }
        let graph = graph(edges)
        #expect(graph.cycle() == nil)
        #expect(graph.descendants(of: "t0").count == 9_999)
    }

    @Test func findsExactCycle() {
        let graph = graph([("x", []), ("a", ["x", "b"]), ("b", ["a"])])
        #expect(Set(graph.cycle() ?? []) == ["a", "b"])
    }
}
