/// Limits on one tenant, or on one tenant in one pool. Every field is optional: nil is no limit.
/// Work over a limit waits in the tenant's queue; nothing is ever rejected for a quota.
public struct Quota: Codable, Sendable, Equatable {
    /// Tasks dispatched and not yet finished.
    public var maxRunning: Int?
    /// Dispatches per second, refilled continuously (a token bucket).
    public var rate: Double?
    /// How many dispatches may go at once after a quiet spell; `ceil(rate)` (at least 1) when nil.
    public var burst: Int?
    /// Dispatches per UTC day; reaching it holds the tenant's work and raises an alert.
    public var dailyMax: Int?

    public init(maxRunning: Int? = nil, rate: Double? = nil, burst: Int? = nil, dailyMax: Int? = nil) {
        self.maxRunning = maxRunning
        self.rate = rate
        self.burst = burst
        self.dailyMax = dailyMax
    }

    public static let unlimited = Quota()

    /// The first field out of range, as a message; nil when all are valid.
    public var problem: String? {
        if let maxRunning, maxRunning < 0 { return "maxRunning must be 0 or more" }
        if let rate, !(rate > 0 && rate <= 1_000_000) { return "rate must be above 0 and at most 1000000 per second" }
        if let burst, !(1...1_000_000).contains(burst) { return "burst must be 1 to 1000000" }
        if let dailyMax, dailyMax < 0 { return "dailyMax must be 0 or more" }
        return nil
    }
}

/// A ceiling on dispatching, for the whole platform or one pool. Peak windows lower it at
/// configured times. The global throttle also shapes the ramp-up after a (re)start and the
/// adaptive slow-down under load.
public struct Throttle: Codable, Sendable, Equatable {
    public static let defaultRampUpSeconds = 20.0
    public static let defaultRampStartRate = 50.0
    public static let defaultSlowDownLoad = 0.9
    public static let defaultSlowDownRate = 100.0

    public var rate: Double?
    public var burst: Int?
    public var maxRunning: Int?
    public var peakWindows: [PeakWindow]
    /// Global only: seconds over which dispatching ramps up after a dispatcher starts, or after no
    /// dispatcher ran for a while (0 turns the ramp off).
    public var rampUpSeconds: Double?
    /// Global only: the dispatch rate the ramp starts from.
    public var rampStartRate: Double?
    /// Global only: the mean agent load (1-minute load per CPU) at which dispatching slows down.
    public var slowDownLoad: Double?
    /// Global only: the dispatch rate while slowed down (agents loaded, or running ≥ 90% of slots).
    public var slowDownRate: Double?

    public init(rate: Double? = nil, burst: Int? = nil, maxRunning: Int? = nil, peakWindows: [PeakWindow] = [],
                rampUpSeconds: Double? = nil, rampStartRate: Double? = nil, slowDownLoad: Double? = nil, slowDownRate: Double? = nil) {
        self.rate = rate
        self.burst = burst
        self.maxRunning = maxRunning
        self.peakWindows = peakWindows
        self.rampUpSeconds = rampUpSeconds
        self.rampStartRate = rampStartRate
        self.slowDownLoad = slowDownLoad
        self.slowDownRate = slowDownRate
    }

    public static let none = Throttle()

    private enum CodingKeys: String, CodingKey {
        case rate, burst, maxRunning, peakWindows, rampUpSeconds, rampStartRate, slowDownLoad, slowDownRate
    }

    /// Every field may be left out (no peak windows when `peakWindows` is).
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        rate = try container.decodeIfPresent(Double.self, forKey: .rate)
        burst = try container.decodeIfPresent(Int.self, forKey: .burst)
        maxRunning = try container.decodeIfPresent(Int.self, forKey: .maxRunning)
        peakWindows = try container.decodeIfPresent([PeakWindow].self, forKey: .peakWindows) ?? []
        rampUpSeconds = try container.decodeIfPresent(Double.self, forKey: .rampUpSeconds)
        rampStartRate = try container.decodeIfPresent(Double.self, forKey: .rampStartRate)
        slowDownLoad = try container.decodeIfPresent(Double.self, forKey: .slowDownLoad)
        slowDownRate = try container.decodeIfPresent(Double.self, forKey: .slowDownRate)
    }

    public var problem: String? {
        if let rate, !(rate > 0 && rate <= 1_000_000) { return "rate must be above 0 and at most 1000000 per second" }
        if let burst, !(1...1_000_000).contains(burst) { return "burst must be 1 to 1000000" }
        if let maxRunning, maxRunning < 0 { return "maxRunning must be 0 or more" }
        if let rampUpSeconds, !(0...3_600).contains(rampUpSeconds) { return "rampUpSeconds must be 0 to 3600" }
        if let rampStartRate, !(rampStartRate > 0) { return "rampStartRate must be above 0" }
        if let slowDownLoad, !(slowDownLoad > 0) { return "slowDownLoad must be above 0" }
        if let slowDownRate, !(slowDownRate > 0) { return "slowDownRate must be above 0" }
        if peakWindows.count > 50 { return "at most 50 peak windows" }
        for window in peakWindows {
            if let problem = window.problem { return "peak window '\(window)': \(problem)" }
        }
        return nil
    }

    /// The rate and running ceilings in force at `instant`: the lowest of the base values and those
    /// of every peak window open then.
    public func ceilings(at instant: Double) -> (rate: Double?, maxRunning: Int?, peak: Bool) {
        var rate = self.rate
        var maxRunning = self.maxRunning
        var peak = false
        for window in peakWindows where window.contains(instant) {
            peak = true
            if let lower = window.rate { rate = min(rate ?? lower, lower) }
            if let lower = window.maxRunning { maxRunning = min(maxRunning ?? lower, lower) }
        }
        return (rate, maxRunning, peak)
    }
}

/// Where a limit applies: a tenant across all pools (`pool` nil) or in one pool.
public struct QuotaScope: Hashable, Sendable, Codable, CustomStringConvertible {
    public var tenant: String
    public var pool: String?

    public init(tenant: String, pool: String? = nil) {
        self.tenant = tenant
        self.pool = pool
    }

    public var description: String { pool.map { "\(tenant) in pool \($0)" } ?? tenant }
}
