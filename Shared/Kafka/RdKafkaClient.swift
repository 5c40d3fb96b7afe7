internal import CRdKafka
import Runtime

/// What librdkafka's callbacks need to reach Swift: handed to C as the client's opaque pointer and
/// kept alive by `RdKafkaClient` until after `rd_kafka_destroy`, so a late callback never sees a
/// freed object.
final class ClientContext: Sendable {
    let logger: Logger
    let consumer: ConsumerGroupState?

    init(logger: Logger, consumer: ConsumerGroupState? = nil) {
        self.logger = logger
        self.consumer = consumer
    }

    static func from(_ opaque: UnsafeMutableRawPointer?) -> ClientContext? {
        opaque.map { Unmanaged<ClientContext>.fromOpaque($0).takeUnretainedValue() }
    }
}

/// Owns one `rd_kafka_t`: created in `init`, destroyed in `deinit`. librdkafka handles are
/// thread-safe, hence `@unchecked Sendable`.
final class RdKafkaClient: @unchecked Sendable {
    let pointer: OpaquePointer
    let context: ClientContext

    init(kind: rd_kafka_type_t, conf: RdKafkaConf, context: ClientContext) throws(KafkaError) {
        guard let confPointer = conf.pointer else {
            throw KafkaError(.configuration, "configuration already handed to a client")
        }
        rd_kafka_conf_set_opaque(confPointer, Unmanaged.passUnretained(context).toOpaque())
        rd_kafka_conf_set_log_cb(confPointer, logCallback)
        rd_kafka_conf_set_error_cb(confPointer, errorCallback)
        var message = [CChar](repeating: 0, count: 512)
        guard let client = rd_kafka_new(kind, confPointer, &message, message.count) else {
            throw KafkaError(.configuration, "rd_kafka_new failed: \(cString(message))")
        }
        conf.disown()
        self.pointer = client
        self.context = context
    }

    /// The client's name (`rdkafka#producer-1`), useful in logs.
    var name: String { rd_kafka_name(pointer).map { String(cString: $0) } ?? "rdkafka" }

    deinit {
        rd_kafka_destroy(pointer)
    }
}

// MARK: - Callbacks into Swift

/// librdkafka's log lines, as structured JSON through the service's logger. Its levels are syslog
/// levels; errors become warnings because this is a library (callers decide what is an error).
private let logCallback: @convention(c) (OpaquePointer?, Int32, UnsafePointer<CChar>?, UnsafePointer<CChar>?) -> Void = {
    client, level, facility, line in
    guard let client, let context = ClientContext.from(rd_kafka_opaque(client)) else { return }
    let text = line.map { String(cString: $0) } ?? ""
    let fac = facility.map { String(cString: $0) } ?? ""
    let mapped: Logger.Level = level <= 4 ? .warning : (level <= 6 ? .info : .debug)
    context.logger.log(mapped, "librdkafka: \(text)", ["kafka.facility": fac])
}

/// Client-wide errors (all brokers down, fatal idempotence errors). librdkafka recovers from all
/// but fatal ones by itself, so they are logged, not thrown.
private let errorCallback: @convention(c) (OpaquePointer?, Int32, UnsafePointer<CChar>?, UnsafeMutableRawPointer?) -> Void = {
    _, code, reason, opaque in
    guard let context = ClientContext.from(opaque) else { return }
    let text = reason.map { String(cString: $0) } ?? ""
    let fatal = code == RD_KAFKA_RESP_ERR__FATAL.rawValue
    context.logger.warning(fatal ? "kafka client fatal error" : "kafka client error",
                           [LogKey.error: text, "kafka.error_code": "\(code)"])
}
