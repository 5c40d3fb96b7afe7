/// A token bucket: `rate` tokens a second up to `capacity`; a dispatch takes one. Stored as the
/// tokens at one instant and refilled lazily, so the dispatcher keeps only two numbers per bucket.
public struct TokenBucket: Sendable, Equatable, Codable {
    public var tokens: Double
    /// Seconds since 1970 when `tokens` was right.
    public var at: Double

    public init(tokens: Double, at: Double) {
        self.tokens = tokens
        self.at = at
    }

    /// The bucket at `now`, refilled at `rate` up to `capacity`. A new bucket starts full.
    public static func refilled(_ stored: TokenBucket?, rate: Double, capacity: Double, now: Double) -> TokenBucket {
        guard let stored else { return TokenBucket(tokens: capacity, at: now) }
        let elapsed = max(0, now - stored.at)
        return TokenBucket(tokens: min(capacity, stored.tokens + elapsed * rate), at: now)
    }

    public var hasToken: Bool { tokens >= 1 }

    public mutating func take() { tokens -= 1 }

    /// Seconds until one token is there at `rate`.
    public func secondsUntilToken(rate: Double) -> Double { hasToken ? 0 : (1 - tokens) / rate }

    /// The default capacity for `rate` when no burst is configured: one second's worth, at least 1.
    public static func capacity(rate: Double, burst: Int?) -> Double {
        Double(burst ?? max(1, Int(rate.rounded(.up))))
    }
}
