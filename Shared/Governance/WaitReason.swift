/// Why a queued task was not dispatched in a pass; shown to its tenant next to the task.
public enum WaitReason: Error, Sendable, Equatable, CustomStringConvertible {
    case quotaRunning(QuotaScope, Int)
    case quotaRate(QuotaScope, Double)
    case quotaDaily(QuotaScope, Int)
    case globalRunning(Int, why: String?)
    case globalRate(Double, why: String?)
    case poolRunning(String, Int, why: String?)
    case poolRate(String, Double, why: String?)
    case concurrency(String, Int)
    case dedicated(pool: String)
    case noAgentInPool(String)
    case noAgentMatches(pool: String, selector: String)
    case agentsDraining(pool: String)
    case agentsBusy(pool: String)

    public var description: String {
        switch self {
        case .quotaRunning(let scope, let limit): "quota: \(scope) is at its max running (\(limit))"
        case .quotaRate(let scope, let rate): "quota: \(scope) is at its dispatch rate (\(Self.format(rate))/s)"
        case .quotaDaily(let scope, let limit): "quota: \(scope) reached its daily quota (\(limit)); resumes 00:00 UTC"
        case .globalRunning(let limit, let why): "throttle: platform at its running ceiling (\(limit))" + Self.suffix(why)
        case .globalRate(let rate, let why): "throttle: platform dispatch ceiling (\(Self.format(rate))/s)" + Self.suffix(why)
        case .poolRunning(let pool, let limit, let why): "throttle: pool \(pool) at its running ceiling (\(limit))" + Self.suffix(why)
        case .poolRate(let pool, let rate, let why): "throttle: pool \(pool) dispatch ceiling (\(Self.format(rate))/s)" + Self.suffix(why)
        case .concurrency(let key, let limit): "concurrency: \(key) has \(limit) running (its limit)"
        case .dedicated(let pool): "no eligible agent: pool \(pool) is dedicated to another tenant"
        case .noAgentInPool(let pool): "no eligible agent: no live agent serves pool \(pool)"
        case .noAgentMatches(let pool, let selector): "no eligible agent: no agent in pool \(pool) matches '\(selector)'"
        case .agentsDraining(let pool): "no eligible agent: the matching agents of pool \(pool) are draining"
        case .agentsBusy(let pool): "capacity: every matching agent of pool \(pool) is busy"
        }
    }

    /// Whether the reason holds the whole tenant back (rather than this one task).
    var blocksTenant: Bool {
        switch self {
        case .quotaRunning(let scope, _), .quotaRate(let scope, _), .quotaDaily(let scope, _): scope.pool == nil
        default: false
        }
    }

    private static func suffix(_ why: String?) -> String { why.map { ", \($0)" } ?? "" }

    static func format(_ rate: Double) -> String {
        rate == rate.rounded() && rate < 1e9 ? String(Int(rate)) : String(format: "%.2f", rate)
    }
}
