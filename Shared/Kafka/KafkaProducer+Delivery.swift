internal import CRdKafka
import Synchronization

/// Tracks the delivery reports of one `send` call and resumes its continuation when the last one
/// arrives. Every message of the batch carries the same unmanaged pointer to it as its opaque;
/// the single retain taken for the batch is released with the last report.
final class DeliveryBatch: Sendable {
    private struct State {
        var remaining: Int
        var failures = 0
        var firstFailure: String?
        var retriable = true
        var continuation: CheckedContinuation<Void, any Error>?
    }

    private let state: Mutex<State>

    init(count: Int, continuation: CheckedContinuation<Void, any Error>) {
        state = Mutex(State(remaining: count, continuation: continuation))
    }

    /// Records one message's outcome; returns true when it was the last one.
    func record(_ code: rd_kafka_resp_err_t, topic: String) -> Bool {
        let finished: (CheckedContinuation<Void, any Error>, KafkaError?)? = state.withLock { state in
            state.remaining -= 1
            if code != RD_KAFKA_RESP_ERR_NO_ERROR {
                state.failures += 1
                if state.firstFailure == nil { state.firstFailure = "\(topic): \(errorText(code))" }
                if !isRetriableDeliveryError(code) { state.retriable = false }
            }
            guard state.remaining == 0, let continuation = state.continuation else { return nil }
            state.continuation = nil
            guard state.failures > 0 else { return (continuation, nil) }
            let error = KafkaError(.delivery, "\(state.failures) message(s) not delivered, first: \(state.firstFailure ?? "unknown")",
                                   isRetriable: state.retriable)
            return (continuation, error)
        }
        guard let (continuation, error) = finished else { return false }
        if let error { continuation.resume(throwing: error) } else { continuation.resume() }
        return true
    }
}

/// Failures that a later attempt of the same message may get past (broker or network trouble),
/// as opposed to bad input such as an oversize message.
func isRetriableDeliveryError(_ code: rd_kafka_resp_err_t) -> Bool {
    switch code {
    case RD_KAFKA_RESP_ERR__MSG_TIMED_OUT, RD_KAFKA_RESP_ERR__TIMED_OUT, RD_KAFKA_RESP_ERR__TRANSPORT,
         RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN, RD_KAFKA_RESP_ERR__QUEUE_FULL, RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION,
         RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE, RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION,
         RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT, RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS,
         RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS_AFTER_APPEND, RD_KAFKA_RESP_ERR_NETWORK_EXCEPTION,
         RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART, RD_KAFKA_RESP_ERR__PURGE_QUEUE, RD_KAFKA_RESP_ERR__PURGE_INFLIGHT:
        return true
    default:
        return false
    }
}

/// The delivery-report callback: runs on the producer's poll thread.
let deliveryCallback: @convention(c) (OpaquePointer?, UnsafePointer<rd_kafka_message_t>?, UnsafeMutableRawPointer?) -> Void = {
    _, message, _ in
    guard let message, let opaque = message.pointee._private else { return }
    let unmanaged = Unmanaged<DeliveryBatch>.fromOpaque(opaque)
    let code = message.pointee.err
    let topic = code == RD_KAFKA_RESP_ERR_NO_ERROR
        ? "" : message.pointee.rkt.flatMap { rd_kafka_topic_name($0) }.map { String(cString: $0) } ?? "?"
    if unmanaged.takeUnretainedValue().record(code, topic: topic) {
        unmanaged.release()
    }
}
