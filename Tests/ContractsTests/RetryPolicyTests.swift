import Contracts
import Testing

@Suite struct RetryPolicyTests {
    @Test(arguments: 1...6) func fixedDelayIsTheSameForEveryFailure(failures: Int) {
        let policy = RetryPolicy(limit: 5, delaySeconds: 30, backoff: .fixed)
        #expect(policy.delay(afterFailure: failures, random: 0.5) == 30)
    }

    @Test(arguments: [(1, 10.0), (2, 20.0), (3, 40.0), (4, 80.0), (5, 160.0)])
    func exponentialDelayDoubles(failures: Int, expected: Double) {
        let policy = RetryPolicy(limit: 10, delaySeconds: 10, backoff: .exponential, maxDelaySeconds: 3_600)
        #expect(policy.delay(afterFailure: failures, random: 0) == expected)
    }

    @Test func exponentialDelayIsCappedAtMaxDelay() {
        let policy = RetryPolicy(limit: 100, delaySeconds: 10, backoff: .exponential, maxDelaySeconds: 100)
        #expect(policy.delay(afterFailure: 4, random: 0) == 80)
        #expect(policy.delay(afterFailure: 5, random: 0) == 100)
        #expect(policy.delay(afterFailure: 6, random: 0) == 100)
        // Huge failure counts neither overflow nor exceed the cap.
        #expect(policy.delay(afterFailure: 100, random: 0) == 100)
        #expect(policy.delay(afterFailure: Int.max, random: 0) == 100)
    }

    @Test func fixedDelayIsCappedAtMaxDelayToo() {
        let policy = RetryPolicy(limit: 1, delaySeconds: 600, backoff: .fixed, maxDelaySeconds: 60)
        #expect(policy.delay(afterFailure: 1, random: 0) == 60)
    }

    @Test func zeroOrNegativeFailureCountUsesTheBaseDelay() {
        let policy = RetryPolicy(limit: 3, delaySeconds: 10, backoff: .exponential)
        #expect(policy.delay(afterFailure: 0, random: 0) == 10)
        #expect(policy.delay(afterFailure: -3, random: 0) == 10)
    }

    @Test func jitterTakesUpToItsShareOff() {
        let policy = RetryPolicy(limit: 3, delaySeconds: 100, backoff: .fixed, maxDelaySeconds: 1_000, jitter: 0.2)
        #expect(policy.delay(afterFailure: 1, random: 0) == 100)
        // random is below 1, so the delay approaches (never undercuts) delay × (1 - jitter).
        let smallest = policy.delay(afterFailure: 1, random: 1.0.nextDown)
        #expect(smallest >= 80 && abs(smallest - 80) < 1e-9)
        let almost = policy.delay(afterFailure: 1, random: 0.999)
        #expect(almost > 80 && almost < 80.1)
        #expect(policy.delay(afterFailure: 1, random: 0.5) == 90)
    }

    @Test(arguments: [0.0, 0.25, 0.5, 0.75, 0.999_999]) func jitteredDelayStaysWithinBounds(random: Double) {
        for jitter in [0.0, 0.1, 0.5, 1.0] {
            let policy = RetryPolicy(limit: 5, delaySeconds: 10, backoff: .exponential, maxDelaySeconds: 60, jitter: jitter)
            for failures in 1...8 {
                let full = policy.delay(afterFailure: failures, random: 0)
                let delay = policy.delay(afterFailure: failures, random: random)
                #expect(delay <= full && delay >= full * (1 - jitter), "jitter \(jitter), failures \(failures)")
                #expect(delay >= 0)
            }
        }
    }

    @Test func randomOutsideTheUnitIntervalIsClamped() {
        let policy = RetryPolicy(limit: 3, delaySeconds: 100, backoff: .fixed, maxDelaySeconds: 1_000, jitter: 0.5)
        #expect(policy.delay(afterFailure: 1, random: -5) == 100)
        #expect(policy.delay(afterFailure: 1, random: 7) == 50)
    }

    @Test func allowsRetriesUpToTheLimit() {
        let policy = RetryPolicy(limit: 2)
        #expect(policy.allowsRetry(failures: 1, exitCode: 1, reason: nil))
        #expect(policy.allowsRetry(failures: 2, exitCode: 1, reason: nil))
        #expect(!policy.allowsRetry(failures: 3, exitCode: 1, reason: nil))
    }

    @Test func limitZeroNeverRetries() {
        #expect(!RetryPolicy(limit: 0).allowsRetry(failures: 1, exitCode: 1, reason: nil))
    }

    @Test func nonRetryableExitCodesStopRetries() {
        let policy = RetryPolicy(limit: 5, nonRetryableExitCodes: [2, 64])
        #expect(!policy.allowsRetry(failures: 1, exitCode: 2, reason: nil))
        #expect(!policy.allowsRetry(failures: 1, exitCode: 64, reason: nil))
        #expect(policy.allowsRetry(failures: 1, exitCode: 1, reason: nil))
        // No exit code (lost agent, timeout): retried.
        #expect(policy.allowsRetry(failures: 1, exitCode: nil, reason: "timeout"))
    }

    @Test(arguments: ["policy", "policy: command refused", "cancelled", "cancelled by alice"])
    func refusedOrCancelledIsNotRetried(reason: String) {
        #expect(!RetryPolicy(limit: 5).allowsRetry(failures: 1, exitCode: nil, reason: reason))
    }

    @Test(arguments: ["timeout", "exit code 1", "agent lost", "the policy said no"])
    func otherReasonsAreRetried(reason: String) {
        #expect(RetryPolicy(limit: 5).allowsRetry(failures: 1, exitCode: 1, reason: reason))
    }

    @Test func defaults() {
        let policy = RetryPolicy(limit: 1)
        #expect(policy.delaySeconds == RetryPolicy.defaultDelaySeconds)
        #expect(policy.maxDelaySeconds == RetryPolicy.defaultMaxDelaySeconds)
        #expect(policy.backoff == .fixed && policy.jitter == 0 && policy.nonRetryableExitCodes.isEmpty)
    }

    @Test func roundTripsThroughWireCoding() throws {
        let policy = RetryPolicy(limit: 4, delaySeconds: 5, backoff: .exponential, maxDelaySeconds: 300, jitter: 0.25,
                                 nonRetryableExitCodes: [2, 3])
        #expect(try WireCoding.decode(RetryPolicy.self, from: WireCoding.encode(policy)) == policy)
    }
}
