import Synchronization

/// Process-wide Prometheus metrics: counters, gauges and histograms with fixed label sets,
/// rendered in the text exposition format by `GET /metrics`.
public final class Metrics: Sendable {
    public static let shared = Metrics()

    private let families = Mutex<[String: Family]>([:])

    public init() {}

    public func counter(_ name: String, help: String, labels: [String: String] = [:]) -> Counter {
        Counter(cell: cell(name, help: help, type: "counter", labels: labels))
    }

    public func gauge(_ name: String, help: String, labels: [String: String] = [:]) -> Gauge {
        Gauge(cell: cell(name, help: help, type: "gauge", labels: labels))
    }

    public func histogram(_ name: String, help: String, labels: [String: String] = [:],
                          buckets: [Double] = Histogram.defaultBuckets) -> Histogram {
        families.withLock { families in
            let key = Self.labelText(labels)
            var family = families[name] ?? Family(help: help, type: "histogram")
            if let existing = family.histograms[key] { return existing }
            let histogram = Histogram(buckets: buckets)
            family.histograms[key] = histogram
            families[name] = family
            return histogram
        }
    }

    /// The text exposition format, families sorted by name.
    public func render() -> String {
        families.withLock { families in
            var out = ""
            for name in families.keys.sorted() {
                guard let family = families[name] else { continue }
                out += "# HELP \(name) \(family.help)\n# TYPE \(name) \(family.type)\n"
                for (labels, cell) in family.cells.sorted(by: { $0.key < $1.key }) {
                    out += "\(name)\(labels.isEmpty ? "" : "{\(labels)}") \(Self.number(cell.value))\n"
                }
                for (labels, histogram) in family.histograms.sorted(by: { $0.key < $1.key }) {
                    out += histogram.render(name: name, labels: labels)
                }
            }
            return out
        }
    }

    private func cell(_ name: String, help: String, type: String, labels: [String: String]) -> Cell {
        families.withLock { families in
            let key = Self.labelText(labels)
            var family = families[name] ?? Family(help: help, type: type)
            if let existing = family.cells[key] { return existing }
            let cell = Cell()
            family.cells[key] = cell
            families[name] = family
            return cell
        }
    }

    static func labelText(_ labels: [String: String]) -> String {
        labels.keys.sorted().map { "\($0)=\(JSONText.quote(labels[$0] ?? ""))" }.joined(separator: ",")
    }

    static func number(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }

    private struct Family {
        let help: String
        let type: String
        var cells: [String: Cell] = [:]
        var histograms: [String: Histogram] = [:]
    }
}

final class Cell: Sendable {
    private let storage = Mutex<Double>(0)
    var value: Double { storage.withLock { $0 } }
    func add(_ amount: Double) { storage.withLock { $0 += amount } }
    func set(_ amount: Double) { storage.withLock { $0 = amount } }
}

public struct Counter: Sendable {
    let cell: Cell
    public func increment(by amount: Int = 1) { cell.add(Double(amount)) }
    public var value: Double { cell.value }
}

public struct Gauge: Sendable {
    let cell: Cell
    public func set(_ value: Double) { cell.set(value) }
    public func add(_ amount: Double) { cell.add(amount) }
    public var value: Double { cell.value }
}

public final class Histogram: Sendable {
    public static let defaultBuckets: [Double] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

    private struct State {
        var counts: [UInt64]
        var sum: Double = 0
        var count: UInt64 = 0
    }

    private let buckets: [Double]
    private let state: Mutex<State>

    init(buckets: [Double]) {
        self.buckets = buckets.sorted()
        self.state = Mutex(State(counts: Array(repeating: 0, count: buckets.count)))
    }

    public func observe(_ value: Double) {
        state.withLock { state in
            if let index = buckets.firstIndex(where: { value <= $0 }) { state.counts[index] += 1 }
            state.sum += value
            state.count += 1
        }
    }

    public func observe(since start: ContinuousClock.Instant) {
        let elapsed = ContinuousClock.now - start
        observe(elapsed.inSeconds)
    }

    func render(name: String, labels: String) -> String {
        let snapshot = state.withLock { $0 }
        let prefix = labels.isEmpty ? "" : labels + ","
        var out = ""
        var cumulative: UInt64 = 0
        for (bound, count) in zip(buckets, snapshot.counts) {
            cumulative += count
            out += "\(name)_bucket{\(prefix)le=\"\(bound)\"} \(cumulative)\n"
        }
        out += "\(name)_bucket{\(prefix)le=\"+Inf\"} \(snapshot.count)\n"
        let suffix = labels.isEmpty ? "" : "{\(labels)}"
        out += "\(name)_sum\(suffix) \(snapshot.sum)\n\(name)_count\(suffix) \(snapshot.count)\n"
        return out
    }
}
