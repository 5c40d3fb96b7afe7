import Foundation

/// A bound, listening TCP socket made by us rather than by libmicrohttpd, so the real port is
/// known from `getsockname` (MHD_get_daemon_info is variadic and cannot be called from Swift) and
/// "address in use" surfaces as a clear error instead of a NULL daemon.
struct ListeningSocket {
    let descriptor: Int32
    let port: Int
    let isIPv6: Bool

    static func open(host: String, port: Int, backlog: Int32 = 511) throws(HTTPServerError) -> ListeningSocket {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(port), &hints, &list)
        guard status == 0, let first = list else {
            throw HTTPServerError(.bind, "cannot resolve listen host '\(host)': \(String(cString: gai_strerror(status)))")
        }
        defer { freeaddrinfo(first) }

        var problem = "no usable address"
        var entry: UnsafeMutablePointer<addrinfo>? = first
        while let info = entry {
            entry = info.pointee.ai_next
            switch bindAndListen(info.pointee, backlog: backlog) {
            case .success(let socket): return socket
            case .failure(let reason): problem = reason
            }
        }
        throw HTTPServerError(.bind, "cannot listen on \(host):\(port): \(problem)")
    }

    private enum Attempt {
        case success(ListeningSocket)
        case failure(String)
    }

    private static func bindAndListen(_ info: addrinfo, backlog: Int32) -> Attempt {
        let fd = socket(info.ai_family, info.ai_socktype | Int32(SOCK_CLOEXEC.rawValue), info.ai_protocol)
        guard fd >= 0 else { return .failure(lastError()) }
        var on: Int32 = 1
        // Lets a restarted service rebind while old connections sit in TIME_WAIT; Linux still
        // refuses the bind while another socket is listening there.
        _ = setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, socklen_t(MemoryLayout<Int32>.size))
        guard bind(fd, info.ai_addr, info.ai_addrlen) == 0, listen(fd, backlog) == 0 else {
            let reason = lastError()
            close(fd)
            return .failure(reason)
        }
        guard let port = boundPort(fd) else {
            let reason = lastError()
            close(fd)
            return .failure(reason)
        }
        return .success(ListeningSocket(descriptor: fd, port: port, isIPv6: info.ai_family == AF_INET6))
    }

    private static func boundPort(_ fd: Int32) -> Int? {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let status = withUnsafeMutablePointer(to: &storage) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard status == 0 else { return nil }
        return withUnsafePointer(to: &storage) { pointer -> Int? in
            switch Int32(pointer.pointee.ss_family) {
            case AF_INET:
                pointer.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { Int(UInt16(bigEndian: $0.pointee.sin_port)) }
            case AF_INET6:
                pointer.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { Int(UInt16(bigEndian: $0.pointee.sin6_port)) }
            default:
                nil
            }
        }
    }

    private static func lastError() -> String {
        String(cString: strerror(errno))
    }
}
