import Dispatch
import Foundation
import Runtime
import Synchronization

/// What libmicrohttpd's callbacks need, shared by every connection thread of one daemon: the
/// router, limits, request accounting for draining, and the request log and metrics.
final class ServerContext: Sendable {
    let router: Router
    let logger: Logger
    let maxBodyBytes: Int
    /// Past this many bytes of an oversized chunked body we stop reading and drop the connection,
    /// so an endless upload cannot hold a thread forever.
    let discardLimit: Int

    private let inFlight = Atomic<Int>(0)
    private let abandoning = Atomic<Bool>(false)
    private let requestSeconds = Metrics.shared.histogram(
        "wl_http_request_seconds", help: "Time from request headers to response queued, in seconds.")

    init(router: Router, logger: Logger, maxBodyBytes: Int) {
        self.router = router
        self.logger = logger
        self.maxBodyBytes = maxBodyBytes
        self.discardLimit = max(maxBodyBytes.multipliedReportingOverflow(by: 4).partialValue, 16 << 20)
    }

    // MARK: - Accounting for drain

    func requestStarted() { inFlight.add(1, ordering: .relaxed) }
    func requestFinished() { inFlight.subtract(1, ordering: .relaxed) }
    var requestsInFlight: Int { inFlight.load(ordering: .relaxed) }

    /// Waits (blocking the calling thread) until no request is in flight or `deadline` passes;
    /// true when drained.
    func drain(until deadline: ContinuousClock.Instant) -> Bool {
        while requestsInFlight > 0 {
            guard ContinuousClock.now < deadline else { return false }
            usleep(10_000)
        }
        return true
    }

    /// After the grace period: connection threads stop waiting for their handlers so the daemon
    /// can be stopped; those handlers' tasks are cancelled and their answers dropped.
    func abandonRequests() { abandoning.store(true, ordering: .relaxed) }

    // MARK: - Running handlers

    /// Runs the router on the Swift concurrency pool and blocks this libmicrohttpd connection
    /// thread (never a cooperative-pool thread) until it answers. nil when the request was
    /// abandoned at shutdown.
    func respond(to request: HTTPRequest) -> HTTPResponse? {
        let slot = ResponseSlot()
        let router = router
        let logger = logger
        let task = Task {
            slot.fulfil(await router.handle(request, logger: logger))
        }
        while true {
            if let response = slot.wait(for: .milliseconds(500)) { return response }
            if abandoning.load(ordering: .relaxed) {
                task.cancel()
                logger.warning("request abandoned at shutdown", [
                    LogKey.httpMethod: request.method, LogKey.httpPath: request.path,
                ])
                return nil
            }
        }
    }

    // MARK: - Request log and metrics

    func record(method: String, path: String, status: Int, since start: ContinuousClock.Instant) {
        let elapsed = ContinuousClock.now - start
        requestSeconds.observe(since: start)
        Metrics.shared.counter("wl_http_requests_total", help: "HTTP requests answered, by method and status.",
                               labels: ["method": Self.metricMethod(method), "status": String(status)]).increment()
        guard logger.level <= .debug else { return }
        let milliseconds = Double(elapsed.components.seconds) * 1e3 + Double(elapsed.components.attoseconds) / 1e15
        logger.debug("request", [
            LogKey.httpMethod: method, LogKey.httpPath: path, LogKey.httpStatus: String(status),
            LogKey.durationMs: String(format: "%.3f", milliseconds),
        ])
    }

    /// Clients choose the method string; unknown ones share a label so they cannot blow up the
    /// metric's cardinality.
    static func metricMethod(_ method: String) -> String {
        knownMethods.contains(method) ? method : "OTHER"
    }

    private static let knownMethods: Set<String> = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
}

/// One handler's answer, handed from its task to the waiting connection thread.
final class ResponseSlot: Sendable {
    private let semaphore = DispatchSemaphore(value: 0)
    private let response = Mutex<HTTPResponse?>(nil)

    func fulfil(_ value: HTTPResponse) {
        response.withLock { $0 = value }
        semaphore.signal()
    }

    func wait(for timeout: Duration) -> HTTPResponse? {
        let milliseconds = Int(timeout.components.seconds * 1000 + timeout.components.attoseconds / 1_000_000_000_000_000)
        guard semaphore.wait(timeout: .now() + .milliseconds(milliseconds)) == .success else { return nil }
        return response.withLock { $0 }
    }
}
