import Foundation
import HTTP
import Runtime
import Synchronization

/// A local HTTP listener standing in for a tenant's alerting endpoint; records every POST body.
final class WebhookReceiver: Sendable {
    private final class Inbox: Sendable {
        let bodies = Mutex<[[UInt8]]>([])
    }

    private let server: HTTPServer
    private let inbox = Inbox()

    init() throws {
        let inbox = inbox
        var router = Router()
        router.post("/hook") { request in
            inbox.bodies.withLock { $0.append(request.body) }
            return .json(["ok": true])
        }
        server = HTTPServer(configuration: HTTPServerConfiguration(port: 0), router: router,
                            logger: Logger(label: "webhook-receiver", level: .warning))
        try server.start()
    }

    var url: String { "http://127.0.0.1:\(server.boundPort)/hook" }
    var received: [[UInt8]] { inbox.bodies.withLock { $0 } }

    func stop() { server.stop() }
}
