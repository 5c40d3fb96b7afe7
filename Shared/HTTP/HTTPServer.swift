import Dispatch
import Runtime
import Synchronization

/// The API server of a service (its routes plus `/healthz`, `/readyz`, `/metrics`), on
/// libmicrohttpd. Run it in the process's `ServiceGroup` (listed first, so it stops last), or
/// drive it with `start()`/`stop()` in tests and tools.
public final class HTTPServer: Service, Sendable {
    public let name = "http"
    public let configuration: HTTPServerConfiguration
    private let router: Router
    private let logger: Logger
    private let state = Mutex(State())

    private struct State {
        var daemon: MicroHTTPDaemon?
        var port: Int?
    }

    public init(configuration: HTTPServerConfiguration, router: Router, logger: Logger) {
        self.configuration = configuration
        self.router = router
        self.logger = logger
    }

    /// Starts listening, runs until the task is cancelled, then stops the daemon: no new
    /// connections, in-flight requests get `shutdownGracePeriod` to finish.
    public func run() async throws {
        try start()
        while !Task.isCancelled {
            await Task.pause(.seconds(3600))
        }
        await shutdown()
    }

    /// `stop()` for async code: the blocking part (draining, joining connection threads) runs on
    /// a Dispatch thread, so the cooperative pool stays free for the handlers being drained.
    public func shutdown() async {
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            DispatchQueue.global().async {
                self.stop()
                done.resume()
            }
        }
    }

    /// Binds and starts serving; returns at once. Throws `HTTPServerError` (code `.bind` when the
    /// port is taken). Starting a started server does nothing.
    public func start() throws {
        try configuration.validate()
        let port = try state.withLock { state throws(HTTPServerError) -> Int? in
            guard state.daemon == nil else { return nil }
            let listener = try ListeningSocket.open(host: configuration.host, port: configuration.port)
            let context = ServerContext(router: router, logger: logger, maxBodyBytes: configuration.maxBodyBytes)
            state.daemon = try MicroHTTPDaemon(listener: listener, context: context, configuration: configuration)
            state.port = listener.port
            return listener.port
        }
        if let port {
            logger.info("http server listening", [HTTPLogKey.address: address(port)])
        }
    }

    /// Stops accepting, waits up to `shutdownGracePeriod` for requests in flight, closes all
    /// connections and frees the port. Blocks the calling thread until done (from async code use
    /// `shutdown()`); stopping a stopped server does nothing.
    public func stop() {
        let daemon = state.withLock { state in
            defer { state.daemon = nil }
            return state.daemon
        }
        guard let daemon else { return }
        daemon.stop(gracePeriod: configuration.shutdownGracePeriod)
        logger.info("http server stopped", [HTTPLogKey.address: address(boundPort)])
    }

    /// The port actually bound (useful with port 0); the configured port before the first start.
    public var boundPort: Int {
        state.withLock { $0.port } ?? configuration.port
    }

    private func address(_ port: Int) -> String {
        configuration.host.contains(":") ? "[\(configuration.host)]:\(port)" : "\(configuration.host):\(port)"
    }
}

/// Log metadata keys of this module that `Runtime.LogKey` does not have.
enum HTTPLogKey {
    static let address = "http.address"
}
