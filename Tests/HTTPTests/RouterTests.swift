import Testing
@testable import HTTP

@Suite struct RouterTests {
    private func router() -> Router {
        var router = Router()
        router.get("/v1/runs") { _ in .text("list") }
        router.get("/v1/runs/:id") { request in .text("run \(request.pathParameters["id"] ?? "?")") }
        router.get("/v1/runs/search") { _ in .text("search") }
        router.delete("/v1/runs/:id") { _ in .empty() }
        router.post("/v1/workflows/:name/runs/:run/tasks") { request in
            .text("\(request.pathParameters["name"] ?? "?")/\(request.pathParameters["run"] ?? "?")")
        }
        return router
    }

    private func text(_ response: HTTPResponse) -> String {
        String(decoding: response.body, as: UTF8.self)
    }

    @Test func matchesPathParameters() async {
        let response = await router().handle(HTTPRequest(method: "GET", path: "/v1/runs/r-42"))
        #expect(response.status == 200)
        #expect(text(response) == "run r-42")
    }

    @Test func fillsSeveralParameters() async {
        let response = await router().handle(HTTPRequest(method: "POST", path: "/v1/workflows/etl/runs/7/tasks"))
        #expect(text(response) == "etl/7")
    }

    @Test func literalSegmentBeatsParameter() async {
        let response = await router().handle(HTTPRequest(method: "GET", path: "/v1/runs/search"))
        #expect(text(response) == "search")
    }

    @Test func ignoresTrailingSlash() async {
        let response = await router().handle(HTTPRequest(method: "GET", path: "/v1/runs/"))
        #expect(text(response) == "list")
    }

    @Test func unknownPathIs404() async {
        let response = await router().handle(HTTPRequest(method: "GET", path: "/v2/nothing"))
        #expect(response.status == 404)
        #expect(response.headers["Content-Type"] == "application/json")
        #expect(text(response).contains("\"error\""))
    }

    @Test func segmentCountMustMatch() async {
        let response = await router().handle(HTTPRequest(method: "GET", path: "/v1/runs/1/extra"))
        #expect(response.status == 404)
    }

    @Test func knownPathWrongMethodIs405WithAllow() async {
        let response = await router().handle(HTTPRequest(method: "PUT", path: "/v1/runs/1"))
        #expect(response.status == 405)
        #expect(response.headers["Allow"] == "DELETE, GET, HEAD")
    }

    @Test func headFallsBackToGet() async {
        let response = await router().handle(HTTPRequest(method: "HEAD", path: "/v1/runs"))
        #expect(response.status == 200)
    }

    @Test func methodIsCaseInsensitive() async {
        let response = await router().handle(HTTPRequest(method: "get", path: "/v1/runs"))
        #expect(response.status == 200)
    }

    @Test func reRegisteringReplacesHandler() async {
        var router = Router()
        router.get("/a") { _ in .text("old") }
        router.get("/a") { _ in .text("new") }
        #expect(router.routes.count == 1)
        #expect(text(await router.handle(HTTPRequest(method: "GET", path: "/a"))) == "new")
    }

    @Test func httpErrorBecomesItsStatusAndErrorBody() async throws {
        var router = Router()
        router.post("/runs/:id/cancel") { _ in throw HTTPError.conflict("run already finished") }
        let response = await router.handle(HTTPRequest(method: "POST", path: "/runs/1/cancel"))
        #expect(response.status == 409)
        #expect(try HTTPClient.decode(HTTPErrorBody.self, from: response.body) == HTTPErrorBody(error: "run already finished"))
    }

    @Test func otherErrorBecomes500WithoutDetails() async throws {
        struct Secret: Error {}
        var router = Router()
        router.get("/boom") { _ in throw Secret() }
        let response = await router.handle(HTTPRequest(method: "GET", path: "/boom"))
        #expect(response.status == 500)
        #expect(try HTTPClient.decode(HTTPErrorBody.self, from: response.body) == HTTPErrorBody(error: "internal error"))
    }
}
