import Foundation
import Runtime
internal import CMicroHTTPD

// The C callbacks libmicrohttpd calls on its connection threads. `cls` is the daemon's
// `ServerContext` (kept alive by `MicroHTTPDaemon`); `*con_cls` holds the request's
// `RequestState`, retained here and released in `mhdRequestCompleted`.

/// The access handler, called several times per request: once after the headers (`*con_cls` is
/// NULL), once per uploaded body chunk, and a final time with `*upload_data_size == 0`.
func mhdAccess(
    _ cls: UnsafeMutableRawPointer?, _ connection: OpaquePointer?, _ url: UnsafePointer<CChar>?,
    _ method: UnsafePointer<CChar>?, _ version: UnsafePointer<CChar>?, _ uploadData: UnsafePointer<CChar>?,
    _ uploadDataSize: UnsafeMutablePointer<Int>?, _ conCls: UnsafeMutablePointer<UnsafeMutableRawPointer?>?
) -> MHD_Result {
    guard let cls, let connection, let uploadDataSize, let conCls else { return .NO }
    let context = Unmanaged<ServerContext>.fromOpaque(cls).takeUnretainedValue()

    guard let stored = conCls.pointee else {
        let state = RequestState(method: method.map { String(cString: $0) } ?? "",
                                 path: url.map { String(cString: $0) } ?? "/")
        conCls.pointee = Unmanaged.passRetained(state).toOpaque()
        context.requestStarted()
        // Refuse a declared oversize body before reading it; libmicrohttpd then skips the body
        // and closes the connection after the answer.
        if let declared = MHD_lookup_connection_value(connection, .HEADER_KIND, "Content-Length"),
           let length = UInt64(String(cString: declared)), length > UInt64(context.maxBodyBytes) {
            return answer(tooLarge(context), to: state, on: connection, context: context)
        }
        return .YES
    }
    let state = Unmanaged<RequestState>.fromOpaque(stored).takeUnretainedValue()
    guard !state.answered else { return .YES }

    if uploadDataSize.pointee > 0 {
        if let uploadData {
            state.receive(UnsafeRawBufferPointer(start: uploadData, count: uploadDataSize.pointee),
                          limit: context.maxBodyBytes)
        }
        uploadDataSize.pointee = 0
        return state.discardedBytes > context.discardLimit ? .NO : .YES
    }

    if state.isTooLarge {
        return answer(tooLarge(context), to: state, on: connection, context: context)
    }
    let request = HTTPRequest(
        method: state.method, path: state.path,
        query: connectionValues(connection, kind: .GET_ARGUMENT_KIND, lowercaseKeys: false),
        headers: connectionValues(connection, kind: .HEADER_KIND, lowercaseKeys: true),
        body: state.body)
    guard let response = context.respond(to: request) else { return .NO }
    return answer(response, to: state, on: connection, context: context)
}

/// Called once per request that reached `mhdAccess`, however it ended (answered, client gone,
/// timeout, daemon stopping).
func mhdRequestCompleted(
    _ cls: UnsafeMutableRawPointer?, _ connection: OpaquePointer?,
    _ conCls: UnsafeMutablePointer<UnsafeMutableRawPointer?>?, _ reason: MHD_RequestTerminationCode
) {
    guard let cls, let conCls, let stored = conCls.pointee else { return }
    conCls.pointee = nil
    let context = Unmanaged<ServerContext>.fromOpaque(cls).takeUnretainedValue()
    let state = Unmanaged<RequestState>.fromOpaque(stored).takeRetainedValue()
    if !state.answered {
        context.logger.debug("request ended without an answer", [
            LogKey.httpMethod: state.method, LogKey.httpPath: state.path, "http.termination": String(reason.rawValue),
        ])
    }
    context.requestFinished()
}

/// libmicrohttpd's own diagnostics, routed into our structured log.
func mhdLog(_ cls: UnsafeMutableRawPointer?, _ format: UnsafePointer<CChar>?, _ arguments: CVaListPointer?) {
    guard let cls, let format, let arguments else { return }
    let context = Unmanaged<ServerContext>.fromOpaque(cls).takeUnretainedValue()
    var buffer = [CChar](repeating: 0, count: 512)
    let written = buffer.withUnsafeMutableBufferPointer { vsnprintf($0.baseAddress, $0.count, format, arguments) }
    guard written > 0 else { return }
    let bytes = buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
    let message = String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    context.logger.info("libmicrohttpd: " + message)
}

// MARK: - Helpers

private func tooLarge(_ context: ServerContext) -> HTTPResponse {
    .error(413, "request body exceeds the limit of \(context.maxBodyBytes) bytes")
}

/// Queues `response` (libmicrohttpd copies the body and adds Content-Length and Date) and
/// records the request in the log and metrics.
private func answer(_ response: HTTPResponse, to state: RequestState, on connection: OpaquePointer,
                    context: ServerContext) -> MHD_Result {
    var response = response
    if !(200...599).contains(response.status) {
        context.logger.error("handler answered an invalid status", [
            LogKey.httpMethod: state.method, LogKey.httpPath: state.path, LogKey.httpStatus: String(response.status),
        ])
        response = .error(500, "internal error")
    }
    state.answered = true
    context.record(method: state.method, path: state.path, status: response.status, since: state.started)
    let created = response.body.withUnsafeBytes { bytes in
        MHD_create_response_from_buffer(bytes.count, UnsafeMutableRawPointer(mutating: bytes.baseAddress),
                                        .RESPMEM_MUST_COPY)
    }
    guard let created else { return .NO }
    defer { MHD_destroy_response(created) }
    for (name, value) in response.headers where name.lowercased() != "content-length" {
        // A header libmicrohttpd refuses (e.g. one containing a newline) is dropped, not sent.
        _ = MHD_add_response_header(created, name, value)
    }
    return MHD_queue_response(connection, UInt32(response.status), created)
}

/// Headers or query arguments of the connection's current request.
private func connectionValues(_ connection: OpaquePointer, kind: MHD_ValueKind, lowercaseKeys: Bool) -> [String: String] {
    var collected = CollectedValues(lowercaseKeys: lowercaseKeys)
    withUnsafeMutablePointer(to: &collected) { pointer in
        _ = MHD_get_connection_values(connection, kind, { cls, _, key, value in
            guard let cls, let key else { return .YES }
            cls.assumingMemoryBound(to: CollectedValues.self).pointee
                .add(String(cString: key), value.map { String(cString: $0) } ?? "")
            return .YES
        }, pointer)
    }
    return collected.values
}

private struct CollectedValues {
    let lowercaseKeys: Bool
    var values: [String: String] = [:]

    /// Repeated headers are joined as RFC 9110 allows; for repeated query names the first wins.
    mutating func add(_ key: String, _ value: String) {
        guard lowercaseKeys else {
            if values[key] == nil { values[key] = value }
            return
        }
        let key = key.lowercased()
        values[key] = values[key].map { $0 + ", " + value } ?? value
    }
}
