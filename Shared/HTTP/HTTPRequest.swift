/// One parsed HTTP request as handlers see it. libmicrohttpd has already parsed the request line,
/// headers and query; this is plain data so handlers and tests can build requests without a server.
public struct HTTPRequest: Sendable {
    /// Upper-case method as sent ("GET", "POST", ...).
    public var method: String
    /// Percent-decoded path without the query string.
    public var path: String
    /// Decoded query arguments; for a repeated name the first value wins.
    public var query: [String: String]
    /// Header names lower-cased; repeated headers are joined with ", " as RFC 9110 allows.
    public var headers: [String: String]
    public var body: [UInt8]
    /// Values of the route pattern's `:name` segments, filled in by `Router`.
    public var pathParameters: [String: String] = [:]

    public init(method: String, path: String, query: [String: String] = [:],
                headers: [String: String] = [:], body: [UInt8] = []) {
        self.method = method
        self.path = path
        self.query = query
        self.headers = Dictionary(headers.map { ($0.key.lowercased(), $0.value) }) { first, second in
            first + ", " + second
        }
        self.body = body
    }

    /// Case-insensitive header lookup.
    public func header(_ name: String) -> String? {
        headers[name.lowercased()]
    }

    /// The body as UTF-8 text, nil when it is not valid UTF-8.
    public var bodyText: String? {
        String(validating: body, as: UTF8.self)
    }
}
