import Foundation
import Kafka

/// Cumulative counters read before and after a scenario; the difference is what it cost.
struct Counters: Sendable {
    var cpuSeconds: [String: Double]
    var postgresCPUSeconds: Double
    var rowsWritten: Int64
    var kafkaMessages: Int64

    /// Reads them all. Waits a moment first so Postgres backends have flushed their statistics.
    static func read(stack: BenchStack, probe: RunProbe, producer: KafkaProducer) async throws -> Counters {
        try await Task.sleep(for: .milliseconds(1_500))
        var cpu: [String: Double] = [:]
        for process in stack.processes {
            cpu[process.name] = ProcessUsage.read(process.pid)?.cpuSeconds
        }
        let messages = try await producer.messagesWritten(topicPrefix: "wl.").values.reduce(0, +)
        return Counters(cpuSeconds: cpu, postgresCPUSeconds: stack.postgresPID.map(ProcessUsage.treeCPUSeconds) ?? 0,
                        rowsWritten: try await probe.rowsWritten(), kafkaMessages: messages)
    }

    /// What happened between `earlier` and `self`.
    func since(_ earlier: Counters) -> Counters {
        Counters(cpuSeconds: cpuSeconds.reduce(into: [:]) { $0[$1.key] = $1.value - (earlier.cpuSeconds[$1.key] ?? 0) },
                 postgresCPUSeconds: postgresCPUSeconds - earlier.postgresCPUSeconds,
                 rowsWritten: rowsWritten - earlier.rowsWritten, kafkaMessages: kafkaMessages - earlier.kafkaMessages)
    }
}
