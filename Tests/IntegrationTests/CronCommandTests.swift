import Foundation
import LocalStack
import Testing

extension Integration {
    /// `wloadctl cron next` as an operator runs it: no stack needed, the scheduler's own rules.
    @Suite struct CronCommandTests {
        private let wloadctl = StackConfiguration.binDirectory(
            repository: URL(fileURLWithPath: FileManager.default.currentDirectoryPath), preferRelease: false
        ).appendingPathComponent("wloadctl").path

        @Test func printsFireTimesWithOffsetsAcrossADSTGap() throws {
            let output = try ProcessRunner.run([wloadctl, "cron", "next", "30 2 * * *", "--tz", "Europe/Berlin",
                                                "--from", "2026-03-28T00:00:00+01:00", "--count", "3"])
            #expect(output.split(separator: "\n") == ["2026-03-28T02:30:00+01:00", "2026-03-29T03:00:00+02:00", "2026-03-30T02:30:00+02:00"])
        }

        @Test func lordHoweHalfHourShiftAndSecondsField() throws {
            let output = try ProcessRunner.run([wloadctl, "cron", "next", "0 0 * * * *", "--tz", "Australia/Lord_Howe",
                                                "--from", "2026-10-04T00:30:00", "--count", "3"])
            #expect(output.split(separator: "\n") == ["2026-10-04T01:00:00+10:30", "2026-10-04T03:00:00+11:00", "2026-10-04T04:00:00+11:00"])
        }

        @Test func invalidExpressionExitsNonZeroNamingTheField() {
            do {
                _ = try ProcessRunner.run([wloadctl, "cron", "next", "0 2 * * MON#6"])
                Issue.record("accepted an invalid expression")
            } catch let error as CommandError {
                #expect(error.status != 0)
                #expect(error.output.contains("day-of-week field"), "\(error.output)")
            } catch {
                Issue.record("\(error)")
            }
        }

        @Test func unknownZoneIsRejected() {
            #expect(throws: CommandError.self) { try ProcessRunner.run([wloadctl, "cron", "next", "@daily", "--tz", "Nowhere/City"]) }
        }
    }
}
