import Contracts
import Foundation
import LocalStack
import Runtime
import Testing

extension Integration {
    /// Time-driven schedules on a real stack: leader election, fencing, backfill, calendars,
    /// overlap, and the checks applied to schedules at apply time.
    @Suite struct SchedulerTests {
        /// Two trigger-service instances; the leader is SIGKILLed while a per-second schedule
        /// fires. The standby takes over within 10 s and the fires form an unbroken sequence of
        /// logical times, each with exactly one run.
        @Test func leaderFailoverLosesNoFireAndDoublesNone() async throws {
            let port = try LoopbackPort.free(count: 1)[0]
            try await Stack.withIsolated(name: "scheduler-ha", agents: 1, configure: { configuration in
                configuration.components.insert(
                    StackComponent(name: "trigger-service-2", executable: "trigger-service", port: port, role: .service), at: 1)
                for name in ["trigger-service", "trigger-service-2"] {
                    configuration.environment[name] = ["WL_SCHEDULER_CAMPAIGN": "0.5"]
                }
            }) { stack in
                let api = StackAPI(stack)
                try await api.apply(TriggerWorkflows.with(name: "ticker", """
                    "schedules": [{"id": "every-second", "cron": "* * * * * *", "overlap": "allowAll", "misfireGrace": "1m"}]
                    """), tenant: "acme")
                let instances = ["trigger-service", "trigger-service-2"]
                var leader: String?
                _ = try await api.eventually(timeout: .seconds(20)) {
                    for name in instances where await api.isSchedulingLeader(name) { leader = name }
                    return leader != nil
                }
                let deposed = try #require(leader, "one instance leads")
                let survivor = instances.first { $0 != deposed } ?? "trigger-service"
                #expect(try await api.eventually { try await api.fires("ticker", schedule: "every-second", tenant: "acme").count >= 3 })

                await stack.kill(deposed)
                let killed = ContinuousClock.now
                let firedBeforeKill = try await api.fires("ticker", schedule: "every-second", tenant: "acme", service: survivor).count
                let tookOver = try await api.eventually(timeout: .seconds(15)) { await api.isSchedulingLeader(survivor) }
                let takeover = ContinuousClock.now - killed
                #expect(tookOver && takeover < .seconds(10), "the standby took over in \(takeover)")
                try await Task.sleep(for: .seconds(4))
                let paused = try await api.attempt("POST", "/v1/schedules/ticker/every-second/pause", tenant: "acme", service: survivor)
                #expect(paused.status == 200, "\(paused.text)")

                let fires = try await api.fires("ticker", schedule: "every-second", tenant: "acme", service: survivor)
                let times = fires.map(\.logicalTime)
                #expect(fires.count >= firedBeforeKill + 4, "the new leader kept firing")
                #expect(zip(times, times.dropFirst()).allSatisfy { $1.timeIntervalSince($0) == 1 },
                        "no logical time missing or repeated: \(times.map { Timestamp.format($0) })")
                #expect(fires.allSatisfy { $0.state == "started" && $0.source == "schedule" })
                let runIDs = fires.compactMap(\.runID)
                #expect(runIDs.count == fires.count && Set(runIDs).count == fires.count, "one run per fire")
                let sample = try #require(fires.last)
                let run = try await api.triggeredRun(try #require(sample.runID), tenant: "acme")
                #expect(run.logicalTime == sample.logicalTime && run.source == "schedule" && run.requestedBy == "schedule:every-second")
                let recorded = try await api.eventually {
                    Set(try await api.runs("ticker", tenant: "acme")).isSuperset(of: runIDs)
                }
                #expect(recorded, "every fire's run was created")
            }
        }

        /// Bad cron, unknown zone, missing or empty calendar: 400 and nothing stored. A calendar
        /// moves the next fire; a backfill creates each fire's run once, with its logical time.
        @Test func schedulesAreCheckedAtApplyAndBackfillIsIdempotent() async throws {
            try await Stack.withIsolated(name: "scheduler-backfill", agents: 1) { stack in
                let api = StackAPI(stack)
                let empty = try await api.attempt("PUT", "/v1/calendars/none", tenant: "acme", body: #"{"dates": []}"#)
                #expect(empty.status == 400)
                let calendar = try await api.attempt("PUT", "/v1/calendars/holidays", tenant: "acme",
                                                     body: #"{"dates": ["2030-12-25", "2030-12-26"], "description": "Christmas"}"#)
                #expect(calendar.status == 200, "\(calendar.text)")

                let invalid: [(String, String)] = [
                    (#"{"cron": "0 2 * * 8"}"#, "day-of-week"),
                    (#"{"cron": "0 2 * *"}"#, "fields"),
                    (#"{"cron": "0 2 * * *", "timezone": "Mars/Olympus"}"#, "time zone"),
                    (#"{"cron": "0 2 * * *", "excludeCalendar": "missing"}"#, "no calendar 'missing'"),
                    (#"{"cron": "0 0 30 2 *"}"#, "never fires"),
                    (#"{"cron": "0 2 * * *", "overlap": "sometimes"}"#, "overlap"),
                ]
                for (schedule, message) in invalid {
                    let answer = try await api.attempt("POST", "/v1/workflows", tenant: "acme",
                                                       body: TriggerWorkflows.with(name: "bad", "\"schedules\": [\(schedule)]"))
                    #expect(answer.status == 400 && answer.text.contains(message), "\(schedule): \(answer.status) \(answer.text)")
                }
                #expect(try await api.attempt("GET", "/v1/workflows/bad", tenant: "acme").status == 404, "nothing stored")

                try await api.apply(TriggerWorkflows.with(name: "xmas", """
                    "schedules": [{"id": "daily", "cron": "0 6 * * *", "timezone": "Europe/Berlin", "excludeCalendar": "holidays", "start": "2030-12-25"}]
                    """), tenant: "acme")
                #expect(try await api.schedules("xmas", tenant: "acme").first?.nextFireLocal == "2030-12-27T06:00:00+01:00")

                try await api.apply(TriggerWorkflows.with(name: "settle", """
                    "maxActiveRuns": 2, "schedules": [{"id": "daily", "cron": "0 6 * * *", "timezone": "Europe/Berlin"}]
                    """), tenant: "acme")
                let body = #"{"from": "2026-03-27", "to": "2026-03-31T23:59:59+02:00"}"#
                let first = try await api.attempt("POST", "/v1/workflows/settle/backfill", tenant: "acme", body: body)
                #expect(first.status == 202 && first.text.contains("\"created\":5") && first.text.contains("\"fires\":5"), "\(first.text)")
                let again = try await api.attempt("POST", "/v1/workflows/settle/backfill", tenant: "acme", body: body)
                #expect(again.status == 202 && again.text.contains("\"created\":0"), "\(again.text)")

                let started = try await api.eventually(timeout: .seconds(60)) {
                    let fires = try await api.fires("settle", schedule: "daily", tenant: "acme")
                    return fires.count == 5 && fires.allSatisfy { $0.state == "started" }
                }
                #expect(started, "the queued backfill fires all started, two at a time")
                let fires = try await api.fires("settle", schedule: "daily", tenant: "acme")
                // 06:00 in Berlin: CET (+01:00) before the 29 March 2026 change, CEST (+02:00) after.
                #expect(fires.map { Timestamp.format($0.logicalTime) } == [
                    "2026-03-27T05:00:00.000Z", "2026-03-28T05:00:00.000Z", "2026-03-29T04:00:00.000Z",
                    "2026-03-30T04:00:00.000Z", "2026-03-31T04:00:00.000Z",
                ])
                let run = try await api.triggeredRun(try #require(fires.first?.runID), tenant: "acme")
                #expect(run.source == "backfill" && run.logicalTime == fires.first?.logicalTime)

                // The operator's view of the same, through the CLI.
                let listing = try cli(stack, "schedule", "list", "--workflow", "xmas")
                #expect(listing.contains("xmas") && listing.contains("daily") && listing.contains("2030-12-27T06:00:00+01:00"), "\(listing)")
                #expect(try cli(stack, "schedule", "pause", "xmas", "daily").contains("paused"))
                #expect(try await api.schedules("xmas", tenant: "acme").first?.paused == true)
                #expect(try cli(stack, "schedule", "resume", "xmas", "daily").contains("2030-12-27T06:00:00+01:00"))
                #expect(try cli(stack, "backfill", "settle", "--from", "2026-03-27", "--to", "2026-03-28").contains("0 new runs"))
            }
        }

        /// overlap cancelPrevious: each fire cancels the run still active and starts its own.
        @Test func overlapCancelPreviousCancelsTheActiveRun() async throws {
            try await Stack.withIsolated(name: "scheduler-cancel", agents: 1) { stack in
                let api = StackAPI(stack)
                try await api.apply(TriggerWorkflows.with(name: "latest", """
                    "schedules": [{"id": "s", "cron": "*/2 * * * * *", "overlap": "cancelPrevious"}]
                    """, task: "sleep 10"), tenant: "acme")
                let enough = try await api.eventually(timeout: .seconds(30)) {
                    try await api.fires("latest", schedule: "s", tenant: "acme").count >= 3
                }
                #expect(enough)
                _ = try await api.attempt("POST", "/v1/schedules/latest/s/pause", tenant: "acme")
                let fires = try await api.fires("latest", schedule: "s", tenant: "acme")
                #expect(fires.allSatisfy { $0.state == "started" }, "every fire started its run")
                let runs = fires.compactMap(\.runID)
                let replaced = try await api.eventually(timeout: .seconds(30)) {
                    for id in runs.dropLast() where try await api.run(id, tenant: "acme").state != "cancelled" { return false }
                    return true
                }
                #expect(replaced, "every run but the newest was cancelled by the next fire")
                #expect(try await api.run(try #require(runs.last), tenant: "acme").state == "running")
            }
        }

        private func cli(_ stack: Stack, _ arguments: String...) throws -> String {
            try StackAPI(stack).cli(arguments)
        }

        /// overlap skip: fires that meet a running run are recorded as skipped, not started; a
        /// manual cancel ends the run as cancelled.
        @Test func overlapSkipRecordsSkippedFiresAndCancelStopsTheRun() async throws {
            try await Stack.withIsolated(name: "scheduler-overlap", agents: 1) { stack in
                let api = StackAPI(stack)
                try await api.apply(TriggerWorkflows.with(name: "slow", """
                    "schedules": [{"id": "s", "cron": "* * * * * *", "overlap": "skip"}]
                    """, task: "sleep 10"), tenant: "acme")
                let skipped = try await api.eventually(timeout: .seconds(30)) {
                    try await api.fires("slow", schedule: "s", tenant: "acme").filter { $0.state == "skipped" }.count >= 3
                }
                #expect(skipped)
                _ = try await api.attempt("POST", "/v1/schedules/slow/s/pause", tenant: "acme")
                let fires = try await api.fires("slow", schedule: "s", tenant: "acme")
                let started = fires.filter { $0.state == "started" }
                #expect(started.count == 1, "only the first fire started while its run was active")
                #expect(fires.filter { $0.state == "skipped" }.allSatisfy { $0.reason?.contains("overlap: skip") == true })
                let runID = try #require(started.first?.runID)
                let cancel = try await api.attempt("POST", "/v1/runs/\(runID.key)/cancel", tenant: "acme")
                #expect(cancel.status == 202, "\(cancel.text)")
                let run = try await api.waitForRun(runID, tenant: "acme", timeout: .seconds(30))
                #expect(run.state == "cancelled")
                #expect(try await api.attempt("POST", "/v1/runs/\(runID.key)/cancel", tenant: "globex").status == 404)
            }
        }
    }
}
