import Foundation
import Runtime
@testable import HTTP

/// A server on a free loopback port for one test, stopped when the body returns.
func withServer(
    maxBodyBytes: Int = 1 << 20,
    _ routes: (inout Router) -> Void,
    _ body: (_ server: HTTPServer, _ baseURL: String) async throws -> Void
) async throws {
    var router = Router()
    routes(&router)
    var configuration = HTTPServerConfiguration(port: 0, maxBodyBytes: maxBodyBytes)
    configuration.shutdownGracePeriod = .seconds(2)
    let server = HTTPServer(configuration: configuration, router: router, logger: testLogger)
    try server.start()
    do {
        try await body(server, "http://127.0.0.1:\(server.boundPort)")
    } catch {
        await server.shutdown()
        throw error
    }
    await server.shutdown()
}

let testLogger = Logger(label: "http-tests", level: .warning, sink: .standardError)

extension Array where Element == UInt8 {
    var text: String { String(decoding: self, as: UTF8.self) }
}
