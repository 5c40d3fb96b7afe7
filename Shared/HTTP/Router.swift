import Runtime

/// Async handler for one route. Throw `HTTPError` for a specific 4xx/5xx answer.
public typealias HTTPHandler = @Sendable (HTTPRequest) async throws -> HTTPResponse

/// Maps method + path pattern to handlers. A value type built once at startup and handed to the
/// server, so routing needs no locks.
public struct Router: Sendable {
    struct Route: Sendable {
        let method: String
        let pattern: RoutePattern
        let handler: HTTPHandler
    }

    private(set) var routes: [Route] = []

    public init() {}

    /// Registers `handler` for `method` and `pattern` (`/v1/runs/:id`; `:name` segments land in
    /// `request.pathParameters`). Registering the same method and pattern again replaces the
    /// handler.
    public mutating func add(_ method: String, _ pattern: String, _ handler: @escaping HTTPHandler) {
        let route = Route(method: method.uppercased(), pattern: RoutePattern(pattern), handler: handler)
        routes.removeAll { $0.method == route.method && $0.pattern == route.pattern }
        routes.append(route)
    }

    public mutating func get(_ pattern: String, _ handler: @escaping HTTPHandler) { add("GET", pattern, handler) }
    public mutating func post(_ pattern: String, _ handler: @escaping HTTPHandler) { add("POST", pattern, handler) }
    public mutating func put(_ pattern: String, _ handler: @escaping HTTPHandler) { add("PUT", pattern, handler) }
    public mutating func patch(_ pattern: String, _ handler: @escaping HTTPHandler) { add("PATCH", pattern, handler) }
    public mutating func delete(_ pattern: String, _ handler: @escaping HTTPHandler) { add("DELETE", pattern, handler) }

    /// Routes and runs the handler. Never throws: 404 for an unknown path, 405 with `Allow` for a
    /// known path and another method, a thrown `HTTPError` becomes its status with
    /// `{"error": message}`, and any other error a logged 500 `{"error": "internal error"}` so
    /// internals never reach clients. HEAD falls back to the GET route (the server sends no body).
    public func handle(_ request: HTTPRequest) async -> HTTPResponse {
        await handle(request, logger: Self.defaultLogger)
    }

    func handle(_ request: HTTPRequest, logger: Logger) async -> HTTPResponse {
        switch resolve(method: request.method, path: request.path) {
        case .notFound:
            return .error(404, "no route for \(request.path)")
        case .methodNotAllowed(let allowed):
            var response = HTTPResponse.error(405, "method \(request.method) not allowed for \(request.path)")
            response.headers["Allow"] = allowed.joined(separator: ", ")
            return response
        case .found(let route, let parameters):
            var request = request
            request.pathParameters = parameters
            do {
                return try await route.handler(request)
            } catch let error as HTTPError {
                return .error(error.status, error.message)
            } catch {
                logger.error("request handler failed", [
                    LogKey.httpMethod: request.method, LogKey.httpPath: request.path,
                    LogKey.error: String(describing: error),
                ])
                return .error(500, "internal error")
            }
        }
    }

    enum Resolution {
        case found(Route, [String: String])
        case methodNotAllowed([String])
        case notFound
    }

    /// Pure routing decision, separate from running handlers so it can be tested directly.
    func resolve(method: String, path: String) -> Resolution {
        let method = method.uppercased()
        let segments = RoutePattern.split(path)
        var best: (route: Route, parameters: [String: String])?
        var fallback: (route: Route, parameters: [String: String])?
        var allowed = Set<String>()
        for route in routes {
            guard let parameters = route.pattern.match(segments) else { continue }
            allowed.insert(route.method)
            if route.method == method {
                if best.map({ route.pattern.isMoreSpecific(than: $0.route.pattern) }) ?? true {
                    best = (route, parameters)
                }
            } else if method == "HEAD", route.method == "GET" {
                if fallback.map({ route.pattern.isMoreSpecific(than: $0.route.pattern) }) ?? true {
                    fallback = (route, parameters)
                }
            }
        }
        if let found = best ?? fallback { return .found(found.route, found.parameters) }
        if allowed.isEmpty { return .notFound }
        if allowed.contains("GET") { allowed.insert("HEAD") }
        return .methodNotAllowed(allowed.sorted())
    }

    private static let defaultLogger = Logger(label: "http")
}
