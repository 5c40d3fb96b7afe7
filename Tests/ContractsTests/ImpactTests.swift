import Contracts
import Testing

/// `ImpactReport.analyse`: what a failed task holds up, in its own workflow and in every workflow
/// that waits for it, transitively.
@Suite struct ImpactTests {
    private static func task(_ id: String, after: [String] = [], waitFor: [String] = []) -> TaskDefinition {
        TaskDefinition(id: id, run: .shell("true"), after: after, waitFor: waitFor.map { WorkflowDependency(workflow: $0) })
    }

    private static func workflow(_ name: String, waitFor: [String] = [], _ tasks: [TaskDefinition]) -> WorkflowDefinition {
        WorkflowDefinition(name: name, waitFor: waitFor.map { WorkflowDependency(workflow: $0) }, tasks: tasks)
    }

    /// The report as (workflow, cause, tasks) triples, easy to compare.
    private static func summary(_ report: ImpactReport) -> [String] {
        report.entries.map { "\($0.workflow) [\($0.cause)]: \($0.tasks.joined(separator: ","))" }
    }

    private static let chain = workflow("W", [task("A"), task("B", after: ["A"]), task("C", after: ["B"]), task("D")])

    @Test func downstreamTasksOfTheFailedOne() {
        let report = ImpactReport.analyse(workflow: "W", task: "A", definitions: ["W": Self.chain])
        #expect(Self.summary(report) == ["W [task A]: B,C"])
        #expect(Self.summary(ImpactReport.analyse(workflow: "W", task: "B", definitions: ["W": Self.chain])) == ["W [task B]: C"])
        #expect(Self.summary(ImpactReport.analyse(workflow: "W", task: "C", definitions: ["W": Self.chain])) == ["W [task C]: "])
    }

    @Test func unknownWorkflowHasNoImpact() {
        #expect(ImpactReport.analyse(workflow: "nope", task: "A", definitions: ["W": Self.chain]).entries.isEmpty)
    }

    @Test func taskLevelWaitIncludesTheWaitingTaskAndItsDescendantsOnly() {
        let x = Self.workflow("X", [
            Self.task("x1"), Self.task("x2", after: ["x1"], waitFor: ["W"]), Self.task("x3", after: ["x2"]), Self.task("x4", after: ["x1"]),
        ])
        let report = ImpactReport.analyse(workflow: "W", task: "A", definitions: ["W": Self.chain, "X": x])
        #expect(Self.summary(report) == ["W [task A]: B,C", "X [waits for W]: x2,x3"])
    }

    @Test func workflowLevelWaitAppliesToTheRoots() {
        let y = Self.workflow("Y", waitFor: ["W"], [
            Self.task("y1"), Self.task("y2"), Self.task("y3", after: ["y1"]), Self.task("y4", after: ["y3", "y2"]),
        ])
        let report = ImpactReport.analyse(workflow: "W", task: "A", definitions: ["W": Self.chain, "Y": y])
        #expect(Self.summary(report) == ["W [task A]: B,C", "Y [waits for W]: y1,y2,y3,y4"])
    }

    @Test func tasksAreListedInDefinitionOrderEvenWhenReachedTwice() {
        // z3 is reached from both waiting tasks; listed once, in definition order.
        let z = Self.workflow("Z", [
            Self.task("z0"), Self.task("z1", waitFor: ["W"]), Self.task("z2", waitFor: ["W"]), Self.task("z3", after: ["z2", "z1"]),
        ])
        let report = ImpactReport.analyse(workflow: "W", task: "A", definitions: ["W": Self.chain, "Z": z])
        #expect(Self.summary(report) == ["W [task A]: B,C", "Z [waits for W]: z1,z2,z3"])
    }

    @Test func impactIsTransitive() {
        let x = Self.workflow("X", [Self.task("x1", waitFor: ["W"]), Self.task("x2", after: ["x1"])])
        let y = Self.workflow("Y", [Self.task("y0"), Self.task("y1", after: ["y0"], waitFor: ["X"])])
        let z = Self.workflow("Z", waitFor: ["Y"], [Self.task("z1")])
        let unrelated = Self.workflow("U", [Self.task("u1", waitFor: ["V"])])
        let report = ImpactReport.analyse(workflow: "W", task: "A", definitions: ["W": Self.chain, "X": x, "Y": y, "Z": z, "U": unrelated])
        #expect(Self.summary(report) == ["W [task A]: B,C", "X [waits for W]: x1,x2", "Y [waits for X]: y1", "Z [waits for Y]: z1"])
    }

    @Test func aWorkflowReachedTwiceIsReportedOnce() {
        let x = Self.workflow("X", [Self.task("x1", waitFor: ["W"])])
        let y = Self.workflow("Y", [Self.task("y1", waitFor: ["W"]), Self.task("y2", waitFor: ["X"])])
        let report = ImpactReport.analyse(workflow: "W", task: "A", definitions: ["W": Self.chain, "X": x, "Y": y])
        #expect(Self.summary(report) == ["W [task A]: B,C", "X [waits for W]: x1", "Y [waits for W]: y1"])
    }

    @Test func cyclesBetweenWorkflowsTerminate() {
        let p = Self.workflow("P", [Self.task("p1", waitFor: ["Q"]), Self.task("p2", after: ["p1"])])
        let q = Self.workflow("Q", waitFor: ["P"], [Self.task("q1")])
        let r = Self.workflow("R", waitFor: ["Q"], [Self.task("r1")])
        let report = ImpactReport.analyse(workflow: "P", task: "p1", definitions: ["P": p, "Q": q, "R": r])
        #expect(Self.summary(report) == ["P [task p1]: p2", "Q [waits for P]: q1", "R [waits for Q]: r1"])
    }

    @Test func aLongWaitChainIsFollowedToItsEnd() {
        var definitions: [String: WorkflowDefinition] = ["w0": Self.workflow("w0", [Self.task("t")])]
        for index in 1..<200 {
            definitions["w\(index)"] = Self.workflow("w\(index)", waitFor: ["w\(index - 1)"], [Self.task("t")])
        }
        let report = ImpactReport.analyse(workflow: "w0", task: "t", definitions: definitions)
        #expect(report.entries.count == 200)
        #expect(Set(report.entries.map(\.workflow)).count == 200)
    }

    @Test func reportRoundTripsThroughWireCoding() throws {
        let x = Self.workflow("X", [Self.task("x1", waitFor: ["W"])])
        let report = ImpactReport.analyse(workflow: "W", task: "A", definitions: ["W": Self.chain, "X": x])
        #expect(try WireCoding.decode(ImpactReport.self, from: WireCoding.encode(report)) == report)
    }
}
