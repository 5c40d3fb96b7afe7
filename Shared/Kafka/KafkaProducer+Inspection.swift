internal import CRdKafka
import Dispatch

/// Read-only questions to the cluster through the producer's connection, for `make bench` and
/// operators' tools.
extension KafkaProducer {
    /// Messages ever written to each topic (the sum of its partitions' high watermarks), for every
    /// topic whose name starts with `prefix`. Blocking broker round trips: run it off the
    /// cooperative pool (it hops to a dispatch queue itself).
    public func messagesWritten(topicPrefix prefix: String, timeout: Duration = .seconds(10)) async throws -> [String: Int64] {
        let client = self.client
        let milliseconds = Int32(clamping: timeout.components.seconds * 1_000 + timeout.components.attoseconds / 1_000_000_000_000_000)
        return try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(with: Result { try Self.highWatermarks(client, prefix: prefix, timeoutMs: milliseconds) })
            }
        }
    }

    private static func highWatermarks(_ client: RdKafkaClient, prefix: String, timeoutMs: Int32) throws -> [String: Int64] {
        var raw: UnsafePointer<rd_kafka_metadata>?
        let code = rd_kafka_metadata(client.pointer, 1, nil, &raw, timeoutMs)
        guard code == RD_KAFKA_RESP_ERR_NO_ERROR, let metadata = raw else {
            throw KafkaError(.connection, "metadata request failed: \(String(cString: rd_kafka_err2str(code)))")
        }
        defer { rd_kafka_metadata_destroy(metadata) }
        var counts: [String: Int64] = [:]
        for topicIndex in 0..<Int(metadata.pointee.topic_cnt) {
            let topic = metadata.pointee.topics[topicIndex]
            let name = String(cString: topic.topic)
            guard name.hasPrefix(prefix), topic.err == RD_KAFKA_RESP_ERR_NO_ERROR else { continue }
            var total: Int64 = 0
            for partitionIndex in 0..<Int(topic.partition_cnt) {
                var low: Int64 = 0
                var high: Int64 = 0
                let partition = topic.partitions[partitionIndex].id
                let result = rd_kafka_query_watermark_offsets(client.pointer, topic.topic, partition, &low, &high, timeoutMs)
                guard result == RD_KAFKA_RESP_ERR_NO_ERROR else {
                    throw KafkaError(.connection, "watermarks of \(name)[\(partition)]: \(String(cString: rd_kafka_err2str(result)))")
                }
                total += max(0, high)
            }
            counts[name] = total
        }
        return counts
    }
}
