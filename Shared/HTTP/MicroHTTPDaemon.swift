import Foundation
import Synchronization
internal import CMicroHTTPD

/// Owns one `MHD_Daemon`: started in `init`, stopped (quiesce, drain, stop, close) once by
/// `stop` or `deinit`. The only place the daemon pointer lives.
///
/// Mode: a thread per connection plus an internal accept thread. Handlers are async, and the
/// connection thread blocks while its request's task runs — acceptable because those are
/// libmicrohttpd's threads, not the cooperative pool, and `maxConnections` bounds them. `poll()`
/// instead of `select()` so descriptors above FD_SETSIZE (busy services) still work; ITC so the
/// daemon can be quiesced.
final class MicroHTTPDaemon: @unchecked Sendable {
    // @unchecked: `handle` is immutable after init and only passed to
    // libmicrohttpd calls that are thread-safe; `stopped` makes stopping happen once.
    private let handle: OpaquePointer
    private let context: ServerContext
    private let stopped = Mutex(false)

    init(listener: ListeningSocket, context: ServerContext, configuration: HTTPServerConfiguration) throws(HTTPServerError) {
        var flags = MHD_USE_THREAD_PER_CONNECTION.rawValue | MHD_USE_INTERNAL_POLLING_THREAD.rawValue
            | MHD_USE_POLL.rawValue | MHD_USE_ITC.rawValue | MHD_USE_ERROR_LOG.rawValue
        if listener.isIPv6 { flags |= MHD_USE_IPv6.rawValue }
        let contextPointer = Unmanaged.passUnretained(context).toOpaque()
        let logger: MHD_LogCallback = mhdLog
        let completed: MHD_RequestCompletedCallback = mhdRequestCompleted
        var options: [MHD_OptionItem] = [
            // First, so startup messages already go to our logger.
            MHD_OptionItem(option: MHD_OPTION.EXTERNAL_LOGGER, value: unsafeBitCast(logger, to: Int.self), ptr_value: contextPointer),
            MHD_OptionItem(option: MHD_OPTION.NOTIFY_COMPLETED, value: unsafeBitCast(completed, to: Int.self), ptr_value: contextPointer),
            MHD_OptionItem(option: MHD_OPTION.LISTEN_SOCKET, value: Int(listener.descriptor), ptr_value: nil),
            MHD_OptionItem(option: MHD_OPTION.CONNECTION_TIMEOUT, value: Int(configuration.connectionTimeoutSeconds), ptr_value: nil),
            MHD_OptionItem(option: MHD_OPTION.CONNECTION_LIMIT, value: configuration.maxConnections, ptr_value: nil),
            MHD_OptionItem(option: MHD_OPTION.END, value: 0, ptr_value: nil),
        ]
        // MHD_start_daemon is C-variadic, which Swift cannot call; its va_list twin can be, with
        // every option passed through one MHD_OPTION.ARRAY (parsed before the call returns).
        let daemon = options.withUnsafeMutableBufferPointer { items -> OpaquePointer? in
            guard let items = items.baseAddress else { return nil }
            return withVaList([MHD_OPTION.ARRAY.rawValue, items, MHD_OPTION.END.rawValue]) { arguments in
                MHD_start_daemon_va(flags, UInt16(listener.port), nil, nil, mhdAccess, contextPointer, arguments)
            }
        }
        guard let daemon else {
            // In this mode libmicrohttpd 0.9.75 closes a given listen socket on every failure
            // path past option parsing; closing it again could hit a reused descriptor.
            throw HTTPServerError(.start, "libmicrohttpd could not start on port \(listener.port)")
        }
        self.handle = daemon
        self.context = context
    }

    /// Stops accepting, gives requests in flight `gracePeriod` to finish, then stops the daemon
    /// (closing idle keep-alive connections and joining its threads) and frees the port. Blocks;
    /// call it off the cooperative pool. Later calls do nothing.
    func stop(gracePeriod: Duration) {
        let alreadyStopped = stopped.withLock { stopped in
            defer { stopped = true }
            return stopped
        }
        guard !alreadyStopped else { return }
        let quiesced = MHD_quiesce_daemon(handle)
        if !context.drain(until: .now + gracePeriod) {
            context.logger.warning("http shutdown grace period passed with requests in flight",
                                   ["http.in_flight": String(context.requestsInFlight)])
            context.abandonRequests()
        }
        MHD_stop_daemon(handle)
        // A quiesced daemon hands its listen socket back; otherwise MHD_stop_daemon closed it.
        if quiesced >= 0 { close(quiesced) }
    }

    deinit {
        stop(gracePeriod: .zero)
    }
}
