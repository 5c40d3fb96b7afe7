import Contracts
import Foundation
import LocalStack
import Testing

extension Integration {
    /// `WL_RUNNING_REPORT_DELAY`: an agent reports `running` only for attempts still running after
    /// the delay; a shorter attempt reports just its outcome, which carries its start time.
    @Suite struct RunningReportTests {
        @Test func shortAttemptsReportOnlyTheirOutcomeAndLongOnesAlsoRunning() async throws {
            try await Stack.withDirectAgents(name: "running-report", configure: { configuration in
                configuration.environment["agent-1"] = ["WL_RUNNING_REPORT_DELAY": "1"]
            }) { stack in
                let agent = try AgentDriver(stack)
                let quick = agent.spec(.shell("true"))
                let slow = agent.spec(.shell("sleep 3"))
                let sent = Date()
                try await agent.send(agent.order(quick))
                try await agent.send(agent.order(slow))

                let quickOutcome = try await agent.final(quick, within: .seconds(20))
                #expect(quickOutcome.state == .succeeded)
                let quickStart = try #require(quickOutcome.startedAt, "the outcome says when the attempt started")
                #expect(quickStart >= sent.addingTimeInterval(-1) && quickStart <= Date())

                let running = try await agent.status(slow, .running, within: .seconds(20))
                let slowStart = try #require(running.startedAt)
                #expect(Date().timeIntervalSince(slowStart) >= 1, "running is reported once the delay has passed")
                let slowOutcome = try await agent.final(slow, within: .seconds(20))
                #expect(slowOutcome.state == .succeeded && slowOutcome.startedAt == slowStart)

                #expect(try await agent.reports(quick).map(\.state) == [.succeeded], "no running report for the short attempt")
                #expect(try await agent.reports(slow).map(\.state) == [.running, .succeeded])
            }
        }
    }
}
