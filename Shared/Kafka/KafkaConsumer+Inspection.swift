internal import CRdKafka
import Runtime

/// Read-only views of a consumer's place in its group, for readiness checks, benchmarks and tests.
extension KafkaConsumer {
    /// The partitions currently assigned to this member, by topic; for readiness checks and tests
    /// (an empty answer right after `init` means the group has not finished joining).
    public func assignment() async -> [String: [Int32]] {
        await withCheckedContinuation { (continuation: CheckedContinuation<[String: [Int32]], Never>) in
            pollQueue.async { [client] in
                var raw: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?
                guard rd_kafka_assignment(client.pointer, &raw) == RD_KAFKA_RESP_ERR_NO_ERROR, let raw else {
                    continuation.resume(returning: [:])
                    return
                }
                let list = RdKafkaPartitionList(adopting: raw)
                var result: [String: [Int32]] = [:]
                for element in list.elements { result[element.topic, default: []].append(element.partition) }
                continuation.resume(returning: result.mapValues { $0.sorted() })
            }
        }
    }

    /// Messages not yet received by this member, per topic: for each assigned partition, the
    /// broker's high watermark (as of the last fetch) minus this member's position. `make bench`
    /// reports the worst of these, so a run that outgrew the dev broker is visible. Also sets the
    /// `wl_kafka_consumer_lag{group,topic}` gauge.
    public func lag() async -> [String: Int64] {
        await withCheckedContinuation { (continuation: CheckedContinuation<[String: Int64], Never>) in
            pollQueue.async { [self] in
                var raw: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?
                guard rd_kafka_assignment(client.pointer, &raw) == RD_KAFKA_RESP_ERR_NO_ERROR, let raw else {
                    continuation.resume(returning: [:])
                    return
                }
                let list = RdKafkaPartitionList(adopting: raw)
                rd_kafka_position(client.pointer, list.pointer)
                var result: [String: Int64] = [:]
                for element in list.elements {
                    var low: Int64 = RdOffset.invalid
                    var high: Int64 = RdOffset.invalid
                    rd_kafka_get_watermark_offsets(client.pointer, element.topic, element.partition, &low, &high)
                    let position = element.offset >= 0 ? element.offset : low
                    let behind = high >= 0 && position >= 0 ? max(0, high - position) : 0
                    result[element.topic, default: 0] += behind
                }
                for (topic, behind) in result {
                    Metrics.shared.gauge("wl_kafka_consumer_lag", help: "Messages on the broker not yet received by this consumer.",
                                         labels: ["group": groupID, "topic": topic]).set(Double(behind))
                }
                continuation.resume(returning: result)
            }
        }
    }
}
