import Foundation
import HTTP
import Synchronization

/// Watches the stack once a second while scenarios run: each process's resident memory (the
/// peak is what counts against the 200 MiB budget) and the worst consumer lag any service
/// reports (`wl_kafka_consumer_lag`), so a run that outgrew the dev broker is visible.
final class Sampler: Sendable {
    private struct State {
        var stopped = false
        var peakRSS: [String: Int] = [:]
        var worstLag: Double = 0
        var worstLagWhere = ""
    }

    private let state = Mutex(State())
    private let http = HTTPClient(timeout: .seconds(2))

    /// Samples until `stop()`. Not stopped by task cancellation: cancelling a URLSession request
    /// in flight crashes FoundationNetworking (URLSession.behaviour(for:)), so a sampling round
    /// always finishes.
    func run(processes: @escaping @Sendable () -> [(name: String, pid: Int32)], endpoints: [String: String]) async {
        while !state.withLock({ $0.stopped }) {
            for process in processes() {
                guard let usage = ProcessUsage.read(process.pid) else { continue }
                state.withLock { $0.peakRSS[process.name] = max($0.peakRSS[process.name] ?? 0, usage.peakRSSBytes) }
            }
            for (service, endpoint) in endpoints {
                guard let answer = try? await http.send(method: "GET", url: endpoint + "/metrics"), answer.status == 200 else { continue }
                let (lag, series) = Self.worstLag(String(decoding: answer.body, as: UTF8.self))
                state.withLock {
                    if lag > $0.worstLag { $0.worstLag = lag; $0.worstLagWhere = "\(service) \(series)" }
                }
            }
            try? await Task.sleep(for: .seconds(1))
        }
    }

    func stop() { state.withLock { $0.stopped = true } }

    /// The worst lag seen since the last reset, and where.
    func takeWorstLag() -> (messages: Double, series: String) {
        state.withLock { state in
            defer { state.worstLag = 0; state.worstLagWhere = "" }
            return (state.worstLag, state.worstLagWhere)
        }
    }

    var peakRSS: [String: Int] { state.withLock { $0.peakRSS } }

    static func worstLag(_ exposition: String) -> (Double, String) {
        var worst = (0.0, "")
        for line in exposition.split(separator: "\n") where line.hasPrefix("wl_kafka_consumer_lag{") {
            guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else { continue }
            if value > worst.0 { worst = (value, String(line[..<space])) }
        }
        return worst
    }
}
