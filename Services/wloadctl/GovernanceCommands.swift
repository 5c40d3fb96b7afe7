import Foundation
import Governance

/// `wloadctl quota`, `throttle`, `queue`: the dispatcher's limits and each tenant's queue.
/// Setting a limit changes only the fields given (`none` removes one); the rest stay as they are.
enum GovernanceCommands {
    static func quota(_ words: [String], context: CLIContext) async throws -> Int32 {
        guard let verb = words.first else { throw CLIError.usage("missing quota command", Usage.quota) }
        switch verb {
        case "show": return try await showQuotas(Array(words.dropFirst()), context: context)
        case "set": return try await setQuota(Array(words.dropFirst()), context: context)
        default: throw CLIError.usage("unknown quota command '\(verb)'", Usage.quota)
        }
    }

    static func throttle(_ words: [String], context: CLIContext) async throws -> Int32 {
        guard let verb = words.first else { throw CLIError.usage("missing throttle command", Usage.throttle) }
        switch verb {
        case "show": return try await showThrottles(Array(words.dropFirst()), context: context)
        case "set": return try await setThrottle(Array(words.dropFirst()), context: context)
        default: throw CLIError.usage("unknown throttle command '\(verb)'", Usage.throttle)
        }
    }

    /// The caller's tenant: counts, why it waits, and its first queued tasks with their reasons.
    static func queue(_ words: [String], context: CLIContext) async throws -> Int32 {
        let arguments = try Arguments(words, options: [.value("limit")], usage: Usage.queue)
        _ = try arguments.positionals(exactly: 0, "", usage: Usage.queue)
        let limit = try arguments.integer("limit", in: 1...50, usage: Usage.queue) ?? 20
        let (_, view) = try await context.api().call(QueueView.self, "GET", "dispatcher", "/v1/queue")
        Output.line(statusTable([view.status]))
        guard !view.waiting.isEmpty else { return ExitCode.success }
        var table = Table("RUN", "TASK", "POOL", "PRIORITY", "QUEUED", "WAITING FOR")
        for task in view.waiting.prefix(limit) {
            table.add(task.runId, task.taskId, task.pool, "\(task.priority)", task.queuedAt, task.reason.orDash)
        }
        Output.line("")
        Output.line(table.render())
        return ExitCode.success
    }

    private static func showQuotas(_ words: [String], context: CLIContext) async throws -> Int32 {
        let arguments = try Arguments(words, options: [], usage: Usage.quota)
        let tenant = try arguments.positionals(upTo: 1, usage: Usage.quota).first
        let path = "/v1/quotas" + (tenant.map { "?tenant=\($0.escapedQueryValue)" } ?? "")
        let (_, statuses) = try await context.api().call([TenantQueueStatusView].self, "GET", "dispatcher", path)
        Output.line(statusTable(statuses))
        var quotas = Table("TENANT", "POOL", "MAX RUNNING", "RATE/S", "BURST", "DAILY")
        for line in statuses.flatMap(\.quotas) {
            quotas.add(line.tenant, line.pool ?? "*", line.maxRunning.map(String.init).orDash, line.rate.map { "\($0)" }.orDash,
                       line.burst.map(String.init).orDash, line.dailyMax.map(String.init).orDash)
        }
        if !quotas.rows.isEmpty {
            Output.line("")
            Output.line(quotas.render())
        }
        return ExitCode.success
    }

    static func statusTable(_ statuses: [TenantQueueStatusView]) -> String {
        var table = Table("TENANT", "RUNNING", "QUEUED", "TODAY", "THROTTLE REASON", "NEXT DISPATCH")
        for status in statuses {
            let next = status.nextDispatchAt ?? (status.queued > 0 && status.throttleReason != nil ? "when a running task ends" : nil)
            table.add(status.tenant, "\(status.running)", "\(status.queued)", "\(status.dispatchedToday)",
                      status.throttleReason.orDash, next.orDash)
        }
        return table.render()
    }

    private static func setQuota(_ words: [String], context: CLIContext) async throws -> Int32 {
        let arguments = try Arguments(words, options: [.value("pool"), .value("max-running"), .value("rate"), .value("burst"),
                                                       .value("daily"), .flag("clear")], usage: Usage.quota)
        let tenant = try arguments.positionals(exactly: 1, "TENANT", usage: Usage.quota)[0]
        let pool = arguments.value("pool")
        let api = try context.api()
        let (_, statuses) = try await api.call([TenantQueueStatusView].self, "GET", "dispatcher", "/v1/quotas?tenant=\(tenant.escapedQueryValue)")
        let current = arguments.has("clear") ? nil : statuses.flatMap(\.quotas).first { $0.tenant == tenant && $0.pool == pool }
        var body = QuotaChangeBody(pool: pool, maxRunning: current?.maxRunning, rate: current?.rate, burst: current?.burst,
                                   dailyMax: current?.dailyMax)
        try LimitFlags.apply(arguments, "max-running", to: &body.maxRunning, usage: Usage.quota)
        try LimitFlags.apply(arguments, "rate", to: &body.rate, usage: Usage.quota)
        try LimitFlags.apply(arguments, "burst", to: &body.burst, usage: Usage.quota)
        try LimitFlags.apply(arguments, "daily", to: &body.dailyMax, usage: Usage.quota)
        try await api.perform("PUT", "dispatcher", "/v1/quotas/\(tenant.escapedPathSegment)", body: APIClient.body(body))
        Output.line("quota for \(tenant)\(pool.map { " in pool \($0)" } ?? ""): " + LimitFlags.describe([
            ("max running", body.maxRunning.map(String.init)), ("rate/s", body.rate.map { "\($0)" }),
            ("burst", body.burst.map(String.init)), ("daily", body.dailyMax.map(String.init)),
        ]))
        return ExitCode.success
    }

    private static func showThrottles(_ words: [String], context: CLIContext) async throws -> Int32 {
        _ = try Arguments(words, options: [], usage: Usage.throttle).positionals(exactly: 0, "", usage: Usage.throttle)
        let (_, view) = try await context.api().call(ThrottlesView.self, "GET", "dispatcher", "/v1/throttles")
        var table = Table("SCOPE", "RATE/S", "BURST", "MAX RUNNING", "PEAK WINDOWS")
        for (scope, throttle) in [("global", view.global)] + view.pools.sorted(by: { $0.key < $1.key }).map({ ("pool \($0.key)", $0.value) }) {
            let peaks = throttle.peakWindows.map { window in
                "\(window) (" + LimitFlags.describe([("rate/s", window.rate.map { "\($0)" }), ("max running", window.maxRunning.map(String.init))]) + ")"
            }.joined(separator: "; ")
            table.add(scope, throttle.rate.map { "\($0)" }.orDash, throttle.burst.map(String.init).orDash,
                      throttle.maxRunning.map(String.init).orDash, Optional(peaks).orDash)
        }
        Output.line(table.render())
        let global = view.global
        Output.line("ramp-up: \(global.rampUpSeconds ?? Throttle.defaultRampUpSeconds)s from \(global.rampStartRate ?? Throttle.defaultRampStartRate)/s"
                    + "; slow-down: at load \(global.slowDownLoad ?? Throttle.defaultSlowDownLoad) to \(global.slowDownRate ?? Throttle.defaultSlowDownRate)/s")
        Output.line("now: " + (view.adjustment ?? "as configured"))
        return ExitCode.success
    }

    private static func setThrottle(_ words: [String], context: CLIContext) async throws -> Int32 {
        let arguments = try Arguments(words, options: [
            .value("pool"), .value("rate"), .value("burst"), .value("max-running"), .value("peak"), .value("peak-rate"),
            .value("peak-max-running"), .flag("clear-peaks"), .value("ramp-up"), .value("ramp-start-rate"),
            .value("slow-down-load"), .value("slow-down-rate"),
        ], usage: Usage.throttle)
        _ = try arguments.positionals(exactly: 0, "", usage: Usage.throttle)
        let pool = arguments.value("pool")
        let api = try context.api()
        let (_, view) = try await api.call(ThrottlesView.self, "GET", "dispatcher", "/v1/throttles")
        var throttle = pool.map { view.pools[$0] ?? .none } ?? view.global
        try LimitFlags.apply(arguments, "rate", to: &throttle.rate, usage: Usage.throttle)
        try LimitFlags.apply(arguments, "burst", to: &throttle.burst, usage: Usage.throttle)
        try LimitFlags.apply(arguments, "max-running", to: &throttle.maxRunning, usage: Usage.throttle)
        try LimitFlags.apply(arguments, "ramp-up", to: &throttle.rampUpSeconds, usage: Usage.throttle)
        try LimitFlags.apply(arguments, "ramp-start-rate", to: &throttle.rampStartRate, usage: Usage.throttle)
        try LimitFlags.apply(arguments, "slow-down-load", to: &throttle.slowDownLoad, usage: Usage.throttle)
        try LimitFlags.apply(arguments, "slow-down-rate", to: &throttle.slowDownRate, usage: Usage.throttle)
        if arguments.has("clear-peaks") { throttle.peakWindows = [] }
        var peakRate: Double?, peakMaxRunning: Int?
        try LimitFlags.apply(arguments, "peak-rate", to: &peakRate, usage: Usage.throttle)
        try LimitFlags.apply(arguments, "peak-max-running", to: &peakMaxRunning, usage: Usage.throttle)
        for text in arguments.allValues("peak") {
            do { throttle.peakWindows.append(try PeakWindow(parsing: text, rate: peakRate, maxRunning: peakMaxRunning)) } catch {
                throw CLIError.usage(error.description, Usage.throttle)
            }
        }
        let path = pool.map { "/v1/throttles/pools/\($0.escapedPathSegment)" } ?? "/v1/throttles/global"
        try await api.perform("PUT", "dispatcher", path, body: APIClient.body(throttle))
        Output.line("throttle \(pool.map { "for pool \($0)" } ?? "global") set")
        return ExitCode.success
    }
}

/// Reading `--name VALUE` flags for limits: a number sets the field, `none` clears it.
enum LimitFlags {
    static func apply(_ arguments: Arguments, _ name: String, to field: inout Int?, usage: String) throws(CLIError) {
        guard let text = arguments.value(name) else { return }
        if text == "none" { field = nil; return }
        guard let number = Int(text), number >= 0 else { throw .usage("--\(name) needs a whole number or 'none', got '\(text)'", usage) }
        field = number
    }

    static func apply(_ arguments: Arguments, _ name: String, to field: inout Double?, usage: String) throws(CLIError) {
        guard let text = arguments.value(name) else { return }
        if text == "none" { field = nil; return }
        guard let number = Double(text), number >= 0, number.isFinite else { throw .usage("--\(name) needs a number or 'none', got '\(text)'", usage) }
        field = number
    }

    static func describe(_ parts: [(String, String?)]) -> String {
        let set = parts.compactMap { name, value in value.map { "\(name) \($0)" } }
        return set.isEmpty ? "no limits" : set.joined(separator: ", ")
    }
}
