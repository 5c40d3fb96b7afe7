import Foundation
import HTTP
import Runtime
import Synchronization

/// A local HTTP listener standing in for a tenant's alerting endpoint; records every POST body.
final class WebhookReceiver: Sendable {
    private final class Inbox: Sendable {
        let bodies = Mutex<[[UInt8]]>([])
        let calls = Mutex(0)
    }

    private let server: HTTPServer
    private let inbox = Inbox()

    /// Answers 503 to the first `failures` calls, to exercise the sender's retries.
    init(failures: Int = 0) throws {
        let inbox = inbox
        var router = Router()
        router.post("/hook") { request in
            let call = inbox.calls.withLock { calls in
                calls += 1
                return calls
            }
            guard call > failures else { return .error(503, "try again later") }
            inbox.bodies.withLock { $0.append(request.body) }
            return .json(["ok": true])
        }
        server = HTTPServer(configuration: HTTPServerConfiguration(port: 0), router: router,
                            logger: Logger(label: "webhook-receiver", level: .warning))
        try server.start()
    }

    var url: String { "http://127.0.0.1:\(server.boundPort)/hook" }
    var received: [[UInt8]] { inbox.bodies.withLock { $0 } }
    var calls: Int { inbox.calls.withLock { $0 } }

    func stop() { server.stop() }
}
