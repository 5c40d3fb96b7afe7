import Foundation
import Synchronization

/// Structured logger: one JSON object per line on standard output, data in flat dotted-key metadata.
/// Libraries take the logger they are given and log at info or below; services decide the level.
public struct Logger: Sendable {
    public enum Level: Int, Sendable, Comparable, CaseIterable {
        case debug, info, warning, error

        public static func < (lhs: Level, rhs: Level) -> Bool { lhs.rawValue < rhs.rawValue }

        public init?(name: String) {
            guard let level = Level.allCases.first(where: { "\($0)" == name.lowercased() }) else { return nil }
            self = level
        }
    }

    public let label: String
    public var level: Level
    public var metadata: [String: String]
    private let sink: LogSink

    public init(label: String, level: Level = .info, metadata: [String: String] = [:], sink: LogSink = .standardOutput) {
        self.label = label
        self.level = level
        self.metadata = metadata
        self.sink = sink
    }

    /// A copy that adds `metadata` to every line it writes.
    public func with(_ metadata: [String: String]) -> Logger {
        var copy = self
        copy.metadata.merge(metadata) { _, new in new }
        return copy
    }

    public func debug(_ message: @autoclosure () -> String, _ metadata: [String: String] = [:]) {
        log(.debug, message(), metadata)
    }

    public func info(_ message: @autoclosure () -> String, _ metadata: [String: String] = [:]) {
        log(.info, message(), metadata)
    }

    public func warning(_ message: @autoclosure () -> String, _ metadata: [String: String] = [:]) {
        log(.warning, message(), metadata)
    }

    public func error(_ message: @autoclosure () -> String, _ metadata: [String: String] = [:]) {
        log(.error, message(), metadata)
    }

    public func log(_ level: Level, _ message: @autoclosure () -> String, _ extra: [String: String] = [:]) {
        guard level >= self.level else { return }
        var line = "{\"ts\":\"\(Timestamp.format(Date()))\",\"level\":\"\(level)\",\"logger\":"
        line += JSONText.quote(label) + ",\"msg\":" + JSONText.quote(message())
        let merged = extra.isEmpty ? metadata : metadata.merging(extra) { _, new in new }
        for key in merged.keys.sorted() {
            line += "," + JSONText.quote(key) + ":" + JSONText.quote(merged[key] ?? "")
        }
        line += "}\n"
        sink.write(line)
    }
}

/// Where log lines go. Each line is written with a single `write(2)` under a lock so lines from
/// concurrent tasks never interleave.
public final class LogSink: Sendable {
    private let descriptor: Int32
    private let lock = Mutex(())

    public init(descriptor: Int32) { self.descriptor = descriptor }

    public static let standardOutput = LogSink(descriptor: 1)
    public static let standardError = LogSink(descriptor: 2)

    func write(_ line: String) {
        var line = line
        lock.withLock { _ in
            line.withUTF8 { bytes in
                var offset = 0
                while offset < bytes.count {
                    let written = Foundation.write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
                    if written <= 0 { if errno == EINTR { continue }; return }
                    offset += written
                }
            }
        }
    }
}
