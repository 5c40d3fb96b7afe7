/// How often and how soon a failed task is tried again. Delays grow from `delaySeconds`, by
/// doubling when `backoff` is exponential, and never exceed `maxDelaySeconds`; jitter takes up
/// to that fraction off each delay so many tasks failing together do not retry in lockstep.
public struct RetryPolicy: Codable, Sendable, Equatable {
    public enum Backoff: String, Codable, Sendable, CaseIterable { case fixed, exponential }

    public static let maxLimit = 100
    public static let defaultDelaySeconds = 10
    public static let defaultMaxDelaySeconds = 3_600

    /// What a task without a retry policy gets when its attempt dies with its agent (reason
    /// `lost`): the infrastructure failed, not the task, so it is tried again at once on another
    /// agent, up to 3 times. A task with a policy of its own is retried by that policy instead.
    public static let lostAgentDefault = RetryPolicy(limit: 3, delaySeconds: 0)

    /// The policy that governs a failure with `reason`: the task's own, else the lost-agent default
    /// for attempts lost with their agent, else none.
    public static func governing(_ own: RetryPolicy?, reason: String?) -> RetryPolicy? {
        own ?? (reason == TaskFailure.lost ? lostAgentDefault : nil)
    }

    /// Retries after the first try (0: never retried).
    public var limit: Int
    public var delaySeconds: Int
    public var backoff: Backoff
    public var maxDelaySeconds: Int
    /// 0...1: the share of each delay that is randomised away.
    public var jitter: Double
    /// Exit codes that mean "retrying cannot help" (bad input, missing file).
    public var nonRetryableExitCodes: [Int]

    public init(limit: Int, delaySeconds: Int = RetryPolicy.defaultDelaySeconds, backoff: Backoff = .fixed,
                maxDelaySeconds: Int = RetryPolicy.defaultMaxDelaySeconds, jitter: Double = 0, nonRetryableExitCodes: [Int] = []) {
        self.limit = limit
        self.delaySeconds = delaySeconds
        self.backoff = backoff
        self.maxDelaySeconds = maxDelaySeconds
        self.jitter = jitter
        self.nonRetryableExitCodes = nonRetryableExitCodes
    }

    private enum CodingKeys: String, CodingKey {
        case limit, delay, backoff, maxDelay, jitter, nonRetryableExitCodes
    }

    /// Stored in the definition's own words ("delay": "10s"), so a stored definition parses again.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        limit = try container.decode(Int.self, forKey: .limit)
        delaySeconds = DurationText.seconds(try container.decode(String.self, forKey: .delay)) ?? Self.defaultDelaySeconds
        backoff = try container.decode(Backoff.self, forKey: .backoff)
        maxDelaySeconds = DurationText.seconds(try container.decode(String.self, forKey: .maxDelay)) ?? Self.defaultMaxDelaySeconds
        jitter = try container.decode(Double.self, forKey: .jitter)
        nonRetryableExitCodes = try container.decodeIfPresent([Int].self, forKey: .nonRetryableExitCodes) ?? []
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(limit, forKey: .limit)
        try container.encode(DurationText.format(delaySeconds), forKey: .delay)
        try container.encode(backoff, forKey: .backoff)
        try container.encode(DurationText.format(maxDelaySeconds), forKey: .maxDelay)
        try container.encode(jitter, forKey: .jitter)
        if !nonRetryableExitCodes.isEmpty { try container.encode(nonRetryableExitCodes, forKey: .nonRetryableExitCodes) }
    }

    /// Whether a task that has failed `failures` times (this one included) is tried again.
    /// Timeouts are retried like any failure; a failure with a non-retryable exit code, a
    /// refused command (`policy`) or a cancellation is not.
    public func allowsRetry(failures: Int, exitCode: Int?, reason: String?) -> Bool {
        guard failures <= limit else { return false }
        if let exitCode, nonRetryableExitCodes.contains(exitCode) { return false }
        if let reason, reason.hasPrefix("policy") || reason.hasPrefix("cancelled") { return false }
        return true
    }

    /// Seconds to wait before the try that follows failure number `failures` (1-based);
    /// `random` is uniform in 0..<1 (injected so tests are exact).
    public func delay(afterFailure failures: Int, random: Double) -> Double {
        let base: Double
        switch backoff {
        case .fixed: base = Double(delaySeconds)
        case .exponential:
            let exponent = min(max(failures - 1, 0), 40)
            base = Double(delaySeconds) * Double(1 << UInt64(exponent))
        }
        let capped = min(base, Double(maxDelaySeconds))
        return capped * (1 - jitter * min(max(random, 0), 1))
    }
}
