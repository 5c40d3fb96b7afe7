/// Where and how the API server listens. Defaults suit one service instance behind a load
/// balancer; services fill `port` (and usually `host`) from their environment.
public struct HTTPServerConfiguration: Sendable {
    /// Address to bind: an IPv4/IPv6 literal or a host name; "0.0.0.0" or "::" for all interfaces.
    public var host: String = "127.0.0.1"
    /// 0 lets the OS pick a free port (tests); read it back with `HTTPServer.boundPort`.
    public var port: Int
    /// Larger request bodies are refused with 413 before they are buffered.
    public var maxBodyBytes: Int = 1 << 20
    /// An idle connection (no bytes either way) is closed after this long (whole seconds,
    /// rounded up); zero disables the timeout.
    public var connectionTimeout: Duration = .seconds(30)
    /// Each connection has its own thread, so this also bounds the server's threads.
    public var maxConnections: Int = 1000
    /// On stop, requests already being handled get this long to finish before their
    /// connections are closed.
    public var shutdownGracePeriod: Duration = .seconds(10)

    public init(host: String = "127.0.0.1", port: Int, maxBodyBytes: Int = 1 << 20) {
        self.host = host
        self.port = port
        self.maxBodyBytes = maxBodyBytes
    }

    var connectionTimeoutSeconds: Int64 {
        let (seconds, attoseconds) = connectionTimeout.components
        return seconds + (attoseconds > 0 ? 1 : 0)
    }

    func validate() throws(HTTPServerError) {
        guard (0...65535).contains(port) else {
            throw HTTPServerError(.configuration, "port must be in 0...65535, got \(port)")
        }
        guard maxBodyBytes >= 0 else {
            throw HTTPServerError(.configuration, "maxBodyBytes must not be negative, got \(maxBodyBytes)")
        }
        guard maxConnections > 0, maxConnections <= Int(UInt32.max) else {
            throw HTTPServerError(.configuration, "maxConnections must be positive, got \(maxConnections)")
        }
        guard connectionTimeout >= .zero, shutdownGracePeriod >= .zero else {
            throw HTTPServerError(.configuration, "timeouts must not be negative")
        }
    }
}

/// The server could not start: bad configuration, the address is taken, or libmicrohttpd refused.
public struct HTTPServerError: Error, Sendable, CustomStringConvertible {
    public enum Code: Sendable, Equatable {
        case configuration
        /// Binding or listening failed, e.g. the port is already in use.
        case bind
        /// libmicrohttpd did not start its daemon (out of threads or memory).
        case start
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "http server: \(message)" }
}
