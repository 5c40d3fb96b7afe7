internal import CRdKafka

/// Owns an `rd_kafka_conf_t` until `rd_kafka_new` adopts it, so a failed setup never leaks one.
final class RdKafkaConf {
    private(set) var pointer: OpaquePointer?

    init(_ settings: [(String, String)]) throws(KafkaError) {
        guard let conf = rd_kafka_conf_new() else {
            throw KafkaError(.configuration, "rd_kafka_conf_new failed")
        }
        pointer = conf
        for (key, value) in settings {
            try set(key, value)
        }
    }

    func set(_ key: String, _ value: String) throws(KafkaError) {
        guard let pointer else { throw KafkaError(.configuration, "configuration already handed to a client") }
        var message = [CChar](repeating: 0, count: 512)
        let result = rd_kafka_conf_set(pointer, key, value, &message, message.count)
        guard result == RD_KAFKA_CONF_OK else {
            throw KafkaError(.configuration, "\(key)=\(value): \(cString(message))")
        }
    }

    /// librdkafka owns the configuration once a client was created from it.
    func disown() { pointer = nil }

    deinit {
        if let pointer { rd_kafka_conf_destroy(pointer) }
    }
}

/// The text of a NUL-terminated buffer librdkafka filled in.
func cString(_ buffer: [CChar]) -> String {
    buffer.withUnsafeBufferPointer { bytes in
        bytes.baseAddress.map { String(cString: $0) } ?? ""
    }
}

/// librdkafka's description of an error code.
func errorText(_ code: rd_kafka_resp_err_t) -> String {
    rd_kafka_err2str(code).map { String(cString: $0) } ?? "error \(code.rawValue)"
}
