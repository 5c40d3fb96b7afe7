import Foundation
import Runtime
import Testing
@testable import HTTP

@Suite struct HTTPServerTests {
    /// Generous: the suite shares two cores with every other suite, and only correctness is asserted.
    let client = HTTPClient(timeout: .seconds(30))

    struct Echo: Codable, Equatable {
        var id: String
        var state: String?
        var name: String?
        var tenant: String?
    }

    @Test func routesPathParametersQueryAndHeaders() async throws {
        try await withServer({ router in
            router.get("/v1/runs/:id") { request in
                .json(Echo(id: request.pathParameters["id"] ?? "", state: request.query["state"],
                           name: request.query["name"], tenant: request.header("X-Tenant")))
            }
        }) { _, base in
            let (status, body) = try await client.send(
                method: "GET", url: base + "/v1/runs/r-17?state=failed&name=a%20b", headers: ["X-Tenant": "acme"])
            #expect(status == 200)
            #expect(try HTTPClient.decode(Echo.self, from: body) == Echo(id: "r-17", state: "failed", name: "a b", tenant: "acme"))
        }
    }

    @Test func unknownPathIs404AndWrongMethodIs405() async throws {
        try await withServer({ router in
            router.get("/v1/runs/:id") { _ in .text("ok") }
        }) { _, base in
            let missing = try await client.send(method: "GET", url: base + "/v1/nothing")
            #expect(missing.status == 404)
            #expect(try HTTPClient.decode(HTTPErrorBody.self, from: missing.body).error.contains("/v1/nothing"))
            let wrong = try await client.send(method: "DELETE", url: base + "/v1/runs/1")
            #expect(wrong.status == 405)
        }
    }

    @Test func jsonRoundTrip() async throws {
        struct Run: Codable, Equatable {
            var id: String
            var createdAt: Date
            var tags: [String]
        }
        try await withServer({ router in
            router.post("/v1/runs") { request in
                var run = try request.decode(Run.self)
                run.tags.append("seen")
                return .json(run, status: 201)
            }
        }) { _, base in
            let sent = Run(id: "r/1", createdAt: Date(timeIntervalSince1970: 1_700_000_000.5), tags: ["x"])
            let (status, body) = try await client.send(method: "POST", url: base + "/v1/runs", json: sent)
            #expect(status == 201)
            #expect(body.text.contains("\"createdAt\":\"2023-11-14T22:13:20.500Z\""))
            #expect(try HTTPClient.decode(Run.self, from: body) == Run(id: "r/1", createdAt: sent.createdAt, tags: ["x", "seen"]))
        }
    }

    @Test func badJSONIs400NamingTheProblem() async throws {
        struct Input: Decodable { var count: Int }
        try await withServer({ router in
            router.post("/in") { request in .json(try request.decode(Input.self).count) }
        }) { _, base in
            let (status, body) = try await client.send(method: "POST", url: base + "/in", body: Array(#"{"count":"x"}"#.utf8))
            #expect(status == 400)
            #expect(try HTTPClient.decode(HTTPErrorBody.self, from: body).error.contains("key 'count'"))
        }
    }

    @Test func handlerErrorsMapToStatus() async throws {
        struct Boom: Error {}
        try await withServer({ router in
            router.post("/conflict") { _ in throw HTTPError.conflict("run already finished") }
            router.get("/boom") { _ in throw Boom() }
        }) { _, base in
            let conflict = try await client.send(method: "POST", url: base + "/conflict")
            #expect(conflict.status == 409)
            #expect(try HTTPClient.decode(HTTPErrorBody.self, from: conflict.body) == HTTPErrorBody(error: "run already finished"))
            let boom = try await client.send(method: "GET", url: base + "/boom")
            #expect(boom.status == 500)
            #expect(try HTTPClient.decode(HTTPErrorBody.self, from: boom.body) == HTTPErrorBody(error: "internal error"))
        }
    }

    @Test func bodyOverLimitIs413AndServerKeepsServing() async throws {
        try await withServer(maxBodyBytes: 1024, { router in
            router.post("/upload") { request in .text("\(request.body.count)") }
        }) { _, base in
            let small = try await client.send(method: "POST", url: base + "/upload", body: Array(repeating: 65, count: 1024))
            #expect(small.status == 200)
            #expect(small.body.text == "1024")
            let large = try await client.send(method: "POST", url: base + "/upload", body: Array(repeating: 65, count: 64 * 1024))
            #expect(large.status == 413)
            #expect(try HTTPClient.decode(HTTPErrorBody.self, from: large.body).error.contains("1024"))
            let after = try await client.send(method: "POST", url: base + "/upload", body: Array(repeating: 65, count: 10))
            #expect(after.status == 200)
        }
    }

    @Test func bodyAtTheDefaultLimitIsAccepted() async throws {
        try await withServer({ router in
            router.post("/upload") { request in .text("\(request.body.count)") }
        }) { _, base in
            let answer = try await client.send(method: "POST", url: base + "/upload", body: Array(repeating: 65, count: 1 << 20))
            #expect(answer.status == 200)
            #expect(answer.body.text == "\(1 << 20)")
        }
    }

    @Test func chunkedBodyOverLimitIs413() async throws {
        try await withServer(maxBodyBytes: 1024, { router in
            router.post("/upload") { request in .text("\(request.body.count)") }
        }) { server, base in
            let chunk = String(repeating: "A", count: 800)
            let hex = String(chunk.utf8.count, radix: 16)
            let raw = "POST /upload HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
                + "\(hex)\r\n\(chunk)\r\n\(hex)\r\n\(chunk)\r\n0\r\n\r\n"
            let answer = try RawExchange.send(raw, port: server.boundPort)
            #expect(answer.hasPrefix("HTTP/1.1 413"))
            let after = try await client.send(method: "GET", url: base + "/upload")
            #expect(after.status == 405)
        }
    }

    @Test func answersManyConcurrentRequests() async throws {
        try await withServer({ router in
            router.get("/slow/:n") { request in
                try await Task.sleep(for: .milliseconds(20))
                return .text(request.pathParameters["n"] ?? "")
            }
        }) { _, base in
            let answers = try await withThrowingTaskGroup(of: (Int, Int, String).self) { group in
                for n in 0..<50 {
                    group.addTask {
                        let (status, body) = try await client.send(method: "GET", url: base + "/slow/\(n)")
                        return (n, status, body.text)
                    }
                }
                var answers: [(Int, Int, String)] = []
                for try await answer in group { answers.append(answer) }
                return answers
            }
            #expect(answers.count == 50)
            #expect(answers.allSatisfy { $0.1 == 200 && $0.2 == String($0.0) })
        }
    }

    @Test func stopFreesThePort() async throws {
        var port = 0
        try await withServer({ router in router.get("/") { _ in .text("one") } }) { server, _ in
            port = server.boundPort
        }
        await #expect(throws: HTTPClientError.self) {
            _ = try await client.send(method: "GET", url: "http://127.0.0.1:\(port)/")
        }
        var router = Router()
        router.get("/") { _ in .text("two") }
        let again = HTTPServer(configuration: HTTPServerConfiguration(port: port), router: router, logger: testLogger)
        try again.start()
        defer { again.stop() }
        #expect(again.boundPort == port)
        #expect(try await client.send(method: "GET", url: "http://127.0.0.1:\(port)/").body.text == "two")
    }

    @Test func takenPortIsAClearError() async throws {
        try await withServer({ _ in }) { server, _ in
            let second = HTTPServer(configuration: HTTPServerConfiguration(port: server.boundPort), router: Router(), logger: testLogger)
            do {
                try second.start()
                Issue.record("second server started on a taken port")
                second.stop()
            } catch let error as HTTPServerError {
                #expect(error.code == .bind)
                #expect(error.description.contains("in use"))
            }
        }
    }

    @Test func runServesUntilCancelledThenLetsInFlightFinish() async throws {
        // The handler says when it has the request, so the cancel below always
        // lands while a request is in flight (a fixed sleep raced on a loaded CI machine).
        let (handlerEntered, entered) = AsyncStream.makeStream(of: Void.self)
        var router = Router()
        router.get("/slow") { _ in
            entered.yield()
            try? await Task.sleep(for: .milliseconds(300))
            return .text("finished")
        }
        let server = HTTPServer(configuration: HTTPServerConfiguration(port: 0), router: router, logger: testLogger)
        let running = Task { try await server.run() }
        var bound = 0
        for _ in 0..<200 where bound == 0 {
            bound = server.boundPort
            if bound == 0 { try await Task.sleep(for: .milliseconds(5)) }
        }
        let port = bound
        #expect(port != 0)
        let client = client
        let inFlight = Task { try await client.send(method: "GET", url: "http://127.0.0.1:\(port)/slow") }
        var handlerHasIt = handlerEntered.makeAsyncIterator()
        await handlerHasIt.next()
        running.cancel()
        try await running.value
        let answer = try await inFlight.value
        #expect(answer.status == 200)
        #expect(answer.body.text == "finished")
        await #expect(throws: HTTPClientError.self) {
            _ = try await client.send(method: "GET", url: "http://127.0.0.1:\(port)/slow")
        }
    }

    @Test func stopAbandonsRequestsPastTheGracePeriod() async throws {
        var router = Router()
        router.get("/stuck") { _ in
            try await Task.sleep(for: .seconds(30))
            return .text("too late")
        }
        var configuration = HTTPServerConfiguration(port: 0)
        configuration.shutdownGracePeriod = .milliseconds(200)
        let server = HTTPServer(configuration: configuration, router: router, logger: testLogger)
        try server.start()
        let port = server.boundPort
        let client = client
        let stuck = Task { try await client.send(method: "GET", url: "http://127.0.0.1:\(port)/stuck") }
        try await Task.sleep(for: .milliseconds(100))
        let started = ContinuousClock.now
        await server.shutdown()
        #expect(ContinuousClock.now - started < .seconds(3))
        await #expect(throws: HTTPClientError.self) { _ = try await stuck.value }
    }

    @Test func countsRequestsInMetrics() async throws {
        try await withServer({ router in router.get("/teapot") { _ in .text("short and stout", status: 418) } }) { _, base in
            _ = try await client.send(method: "GET", url: base + "/teapot")
            let text = Metrics.shared.render()
            #expect(text.contains(#"wl_http_requests_total{method="GET",status="418"}"#))
            #expect(text.contains("wl_http_request_seconds_count"))
        }
    }

    @Test func clientRejectsNonHTTPURLs() async {
        await #expect(throws: HTTPClientError.self) {
            _ = try await client.send(method: "GET", url: "ftp://example.com/")
        }
    }
}
