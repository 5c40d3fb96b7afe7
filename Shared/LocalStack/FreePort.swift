import Glibc

/// Loopback TCP ports: finding free ones for isolated test stacks, and checking a fixed one is
/// free before a process is started on it (so a stranger on the port is reported, not probed).
public enum LoopbackPort {
    /// A port the kernel just handed out for 127.0.0.1. Another process could take it before the
    /// caller binds it; acceptable for tests, which allocate all their ports at once.
    public static func free() throws -> Int {
        try withSocket { fd in
            var address = loopback(port: 0)
            guard bind(fd, &address) == 0 else { throw StackError(.spawn, "cannot bind a loopback port: \(errnoText())") }
            var bound = sockaddr_in()
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            let result = withUnsafeMutablePointer(to: &bound) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
            }
            guard result == 0 else { throw StackError(.spawn, "getsockname failed: \(errnoText())") }
            return Int(UInt16(bigEndian: bound.sin_port))
        }
    }

    /// `count` distinct free ports for a test stack, chosen at random *below* the kernel's
    /// ephemeral range: a port handed out by bind(0) could be taken again by any socket the kernel
    /// numbers itself (another test's server, an outgoing connection) before our service binds it.
    public static func free(count: Int) throws -> [Int] {
        let pool = stackPortRange()
        var ports: [Int] = []
        var tries = 0
        while ports.count < count {
            tries += 1
            guard tries < 10_000 else { throw StackError(.spawn, "no \(count) free loopback ports in \(pool)") }
            let port = Int.random(in: pool)
            if !ports.contains(port), isFree(port) { ports.append(port) }
        }
        return ports
    }

    /// 20000 up to the start of the ephemeral range (`/proc/sys/net/ipv4/ip_local_port_range`).
    static func stackPortRange() -> ClosedRange<Int> {
        let text = (try? String(contentsOfFile: "/proc/sys/net/ipv4/ip_local_port_range", encoding: .utf8)) ?? ""
        let low = text.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" }).first.flatMap { Int($0) } ?? 32_768
        return 20_000...max(low - 1, 25_000)
    }

    /// True when nothing listens on 127.0.0.1:`port` (a bind with SO_REUSEADDR succeeds, so
    /// sockets in TIME_WAIT from a process that just stopped do not count as taken).
    public static func isFree(_ port: Int) -> Bool {
        (try? withSocket { fd -> Bool in
            var address = loopback(port: port)
            return bind(fd, &address) == 0
        }) ?? false
    }

    /// True when something accepts TCP connections on 127.0.0.1:`port`.
    public static func accepts(_ port: Int) -> Bool {
        (try? withSocket { fd -> Bool in
            var address = loopback(port: port)
            return withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
                }
            }
        }) ?? false
    }

    private static func withSocket<T>(_ body: (Int32) throws -> T) throws -> T {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw StackError(.spawn, "cannot create a socket: \(errnoText())") }
        defer { close(fd) }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        return try body(fd)
    }

    private static func loopback(port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(truncatingIfNeeded: port).bigEndian
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        return address
    }

    private static func bind(_ fd: Int32, _ address: inout sockaddr_in) -> Int32 {
        withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
    }
}

func errnoText(_ code: Int32 = errno) -> String {
    String(cString: strerror(code))
}
