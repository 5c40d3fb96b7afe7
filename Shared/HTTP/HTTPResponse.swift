import Foundation

/// What a handler answers. Content-Length and Date are added by libmicrohttpd.
public struct HTTPResponse: Sendable {
    public var status: Int
    public var headers: [String: String]
    public var body: [UInt8]

    public init(status: Int, headers: [String: String] = [:], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// A JSON body with the APIs' one encoding (UTC ISO-8601 dates, unescaped slashes). A value
    /// that cannot be encoded is a server bug, answered as 500 rather than trapping.
    public static func json<T: Encodable>(_ value: T, status: Int = 200) -> HTTPResponse {
        do {
            let data = try JSONCoding.encoder().encode(value)
            return HTTPResponse(status: status, headers: ["Content-Type": jsonContentType], body: Array(data))
        } catch {
            return .error(500, "internal error: response could not be encoded")
        }
    }

    public static func text(_ text: String, status: Int = 200,
                            contentType: String = "text/plain; charset=utf-8") -> HTTPResponse {
        HTTPResponse(status: status, headers: ["Content-Type": contentType], body: Array(text.utf8))
    }

    /// `{"error": message}`, the one error shape of every API.
    public static func error(_ status: Int, _ message: String) -> HTTPResponse {
        json(HTTPErrorBody(error: message), status: status)
    }

    /// No body, for 204 and the like.
    public static func empty(status: Int = 204) -> HTTPResponse {
        HTTPResponse(status: status)
    }

    static let jsonContentType = "application/json"
}

/// The error document clients receive; public so the CLI and tests decode the same shape.
public struct HTTPErrorBody: Codable, Sendable, Equatable {
    public var error: String
    public init(error: String) { self.error = error }
}
