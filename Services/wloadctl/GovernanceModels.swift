import Foundation
import Governance

/// The dispatcher's JSON, as the CLI reads it.
struct TenantQueueStatusView: Codable {
    struct PoolCounts: Codable {
        var pool: String
        var running: Int
        var queued: Int
    }

    struct QuotaLine: Codable {
        var tenant: String
        var pool: String?
        var maxRunning: Int?
        var rate: Double?
        var burst: Int?
        var dailyMax: Int?
    }

    var tenant: String
    var running: Int
    var queued: Int
    var throttleReason: String?
    var nextDispatchAt: String?
    var pools: [PoolCounts]
    var quotas: [QuotaLine]
    var dispatchedToday: Int
}

struct QueueView: Codable {
    struct Waiting: Codable {
        var runId: String
        var taskId: String
        var pool: String
        var priority: Int
        var queuedAt: String
        var reason: String?
    }

    var status: TenantQueueStatusView
    var waiting: [Waiting]
}

struct QuotaChangeBody: Codable {
    var pool: String?
    var maxRunning: Int?
    var rate: Double?
    var burst: Int?
    var dailyMax: Int?
}

struct ThrottlesView: Codable {
    var global: Throttle
    var pools: [String: Throttle]
    var adjustment: String?
    var rampStartedAt: String?
}

struct AgentListItem: Codable {
    var id: String
    var host: String
    var pools: [String]
    var labels: [String: String]
    var slots: Int
    var running: Int
    var load: Double?
    var state: String
    var lastSeen: String
}

struct PoolListItem: Codable {
    var name: String
    var dedicatedTo: String?
    var agents: Int
    var slots: Int
    var running: Int
    var queued: Int
}

struct PoolChangeBody: Codable {
    var dedicatedTo: String?

    /// `null` must be sent to share a pool again, so encode the key even when nil.
    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(dedicatedTo, forKey: .dedicatedTo)
    }
}
