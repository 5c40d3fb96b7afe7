import Contracts
import Foundation
import LocalStack
import Testing

extension Integration {
    /// The agent's side of stopping tasks and reading their outputs, driven directly over Kafka:
    /// signed orders go straight to the agent's topic and kill commands to `wl.agents.control`,
    /// and the agent's reports are read back from `wl.tasks.status`.
    @Suite struct AgentControlTests {
        @Test func timeoutsAndKillCommandsStopTheWholeProcessGroup() async throws {
            try await Stack.withDirectAgents(name: "agent-control-kill", configure: { configuration in
                configuration.environment["agent-1"] = ["WL_KILL_GRACE": "1"]
            }) { stack in
                let agent = try AgentDriver(stack)
                let root = stack.configuration.root.path

                // A timeout: SIGTERM to the group takes the shell and both of its children.
                let childFile = "\(root)/timeout.child"
                let timedOut = try await agent.dispatch(.shell("sleep 300 & echo $! > '\(childFile)'; sleep 300; wait"), timeout: 1)
                let timeoutReport = try await agent.final(timedOut, within: .seconds(10))
                #expect(timeoutReport.state == .failed && timeoutReport.reason == "timeout" && timeoutReport.exitCode == 143,
                        "\(timeoutReport)")
                #expect(AgentDriver.isGone(pidIn: childFile), "the background child died with its group")

                // A task that ignores SIGTERM gets SIGKILL after the grace period.
                let stubborn = try await agent.dispatch(.shell("trap '' TERM; sleep 300"), timeout: 1)
                let stubbornReport = try await agent.final(stubborn, within: .seconds(10))
                #expect(stubbornReport.state == .failed && stubbornReport.reason == "timeout" && stubbornReport.exitCode == 137,
                        "\(stubbornReport)")

                // A kill command for a running attempt.
                let sleeperFile = "\(root)/kill.child"
                let sleeper = try await agent.dispatch(.shell("sleep 60 & echo $! > '\(sleeperFile)'; wait"))
                _ = try await agent.status(sleeper, .running, within: .seconds(10))
                #expect(try await StackAPI(stack).eventually { FileManager.default.fileExists(atPath: sleeperFile) })
                let reason = "cancelled: run cancelled by alice"
                let killed = try await agent.killUntilFinal(sleeper, reason: reason, within: .seconds(15))
                #expect(killed.state == .failed && killed.reason == reason, "\(killed)")
                #expect(AgentDriver.isGone(pidIn: sleeperFile), "the killed task's process is gone")

                // A kill that overtakes its dispatch: the attempt never starts. A dispatch created
                // after a kill naming no attempt belongs to a rerun and runs.
                let marker = "\(root)/ran"
                let early = agent.spec(.shell("echo $WL_ATTEMPT >> '\(marker)'"))
                let overtaken = agent.order(early, attempt: 1)
                try await agent.kill(early, attempt: nil, reason: "cancelled: early")
                try await Task.sleep(for: .seconds(1))
                try await agent.send(overtaken)
                let earlyReport = try await agent.final(early, within: .seconds(10))
                #expect(earlyReport.state == .failed && earlyReport.reason == "cancelled: early" && earlyReport.exitCode == nil,
                        "\(earlyReport)")
                try await agent.send(agent.order(early, attempt: 2))
                let rerun = try await agent.final(early, attempt: 2, within: .seconds(10))
                #expect(rerun.state == .succeeded, "\(rerun)")
                #expect((try? String(contentsOfFile: marker, encoding: .utf8)) == "2\n", "only the rerun ran")
            }
        }

        @Test func outputsAndWorkingDirectoryAreHonoured() async throws {
            try await Stack.withDirectAgents(name: "agent-control-outputs") { stack in
                let agent = try AgentDriver(stack)
                let good = try await agent.dispatch(.shell(#"echo rows=42 >> "$WL_OUTPUT"; echo '# note' >> "$WL_OUTPUT""#))
                let bad = try await agent.dispatch(.shell(#"echo rows=1 >> "$WL_OUTPUT"; echo 'not a pair' >> "$WL_OUTPUT""#))
                let silent = try await agent.dispatch(.shell("true"))
                let failing = try await agent.dispatch(.shell(#"echo rows=1 >> "$WL_OUTPUT"; exit 3"#))

                let goodReport = try await agent.final(good, within: .seconds(20))
                #expect(goodReport.state == .succeeded && goodReport.outputs == ["rows": "42"], "\(goodReport)")
                let badReport = try await agent.final(bad, within: .seconds(20))
                #expect(badReport.state == .failed && badReport.reason?.hasPrefix("output: line 2:") == true && badReport.exitCode == 0,
                        "\(badReport)")
                let silentReport = try await agent.final(silent, within: .seconds(20))
                #expect(silentReport.state == .succeeded && silentReport.outputs == nil, "\(silentReport)")
                let failingReport = try await agent.final(failing, within: .seconds(20))
                #expect(failingReport.state == .failed && failingReport.exitCode == 3 && failingReport.outputs == nil, "\(failingReport)")

                // An output file left by an earlier start of the same attempt is not this start's.
                let restarted = agent.spec(.shell("true"))
                let runDirectory = "\(stack.configuration.root.path)/agents/agent-1/runs/\(restarted.runID.key)"
                try FileManager.default.createDirectory(atPath: runDirectory, withIntermediateDirectories: true)
                try "stale=1\n".write(toFile: "\(runDirectory)/\(restarted.taskID).1.output", atomically: false, encoding: .utf8)
                try await agent.send(agent.order(restarted))
                let restartedReport = try await agent.final(restarted, within: .seconds(20))
                #expect(restartedReport.state == .succeeded && restartedReport.outputs == nil, "\(restartedReport)")

                let directory = stack.configuration.root.appendingPathComponent("workspace").path
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
                let located = try await agent.dispatch(.shell(#"echo "cwd=$(pwd)" >> "$WL_OUTPUT""#), directory: directory)
                let locatedReport = try await agent.final(located, within: .seconds(20))
                #expect(locatedReport.state == .succeeded && locatedReport.outputs == ["cwd": directory], "\(locatedReport)")
                let missing = try await agent.dispatch(.shell("true"), directory: "\(directory)/missing")
                let missingReport = try await agent.final(missing, within: .seconds(20))
                #expect(missingReport.state == .failed
                        && missingReport.reason == "spawn: working directory \(directory)/missing does not exist", "\(missingReport)")
            }
        }
    }
}
