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
        let metadataCode = rd_kafka_metadata(client.pointer, 1, nil, &raw, timeoutMs)
        guard metadataCode == RD_KAFKA_RESP_ERR_NO_ERROR, let metadata = raw else {
            throw KafkaError(.connection, "metadata request failed: \(String(cString: rd_kafka_err2str(metadataCode)))")
        }
        defer { rd_kafka_metadata_destroy(metadata) }
        // Every partition's latest offset in one ListOffsets request per broker (a timestamp of
        // -1 asks for the end), instead of a round trip per partition.
        guard let list = rd_kafka_topic_partition_list_new(0) else { throw KafkaError(.connection, "out of memory") }
        defer { rd_kafka_topic_partition_list_destroy(list) }
        for topicIndex in 0..<Int(metadata.pointee.topic_cnt) {
            let topic = metadata.pointee.topics[topicIndex]
            guard String(cString: topic.topic).hasPrefix(prefix), topic.err == RD_KAFKA_RESP_ERR_NO_ERROR else { continue }
            for partitionIndex in 0..<Int(topic.partition_cnt) {
                rd_kafka_topic_partition_list_add(list, topic.topic, topic.partitions[partitionIndex].id)?.pointee.offset = -1
            }
        }
        var counts: [String: Int64] = [:]
        guard list.pointee.cnt > 0 else { return counts }
        let code = rd_kafka_offsets_for_times(client.pointer, list, timeoutMs)
        guard code == RD_KAFKA_RESP_ERR_NO_ERROR else {
            throw KafkaError(.connection, "latest offsets: \(String(cString: rd_kafka_err2str(code)))")
        }
        for index in 0..<Int(list.pointee.cnt) {
            let entry = list.pointee.elems[index]
            guard entry.err == RD_KAFKA_RESP_ERR_NO_ERROR else {
                throw KafkaError(.connection, "latest offset of \(String(cString: entry.topic))[\(entry.partition)]: \(String(cString: rd_kafka_err2str(entry.err)))")
            }
            counts[String(cString: entry.topic), default: 0] += max(0, entry.offset)
        }
        return counts
    }
}
