import Runtime
import Testing

/// `Environment.seconds`: durations given as seconds, such as `WL_RUNNING_REPORT_DELAY=0.2`.
@Suite struct EnvironmentSecondsTests {
    @Test func unsetIsTheDefaultAndFractionsAreMilliseconds() throws {
        #expect(try Environment([:]).seconds("D", default: 0.2) == .milliseconds(200))
        #expect(try Environment(["D": "1.5"]).seconds("D", default: 0) == .milliseconds(1_500))
        #expect(try Environment(["D": "0"]).seconds("D", default: 3) == .zero)
    }

    @Test func negativeUnreadableAndTooLargeAreErrorsNotCrashes() {
        for text in ["-1", "soon", "nan", "inf", "1e30"] {
            #expect(throws: ConfigError.self, "\(text)") { try Environment(["D": text]).seconds("D", default: 1) }
        }
    }
}
