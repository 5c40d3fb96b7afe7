import Foundation
import Runtime
import Synchronization

/// Gives the dev broker a fixed bootstrap port. The mock cluster listens on ports it picks; this
/// listens on 127.0.0.1:`port` and copies bytes both ways to the mock's bootstrap listener (no
/// protocol code). Clients bootstrap here, then follow the broker addresses the metadata gives
/// them. One thread per direction per connection: there are only a handful of bootstrap
/// connections.
final class TCPForwarder: Sendable {
    let port: Int
    private let target: (host: String, port: Int)
    private let listener: Int32
    private let stopped = Atomic<Bool>(false)
    private let logger: Logger

    /// Binds and listens at once, so a taken port fails start-up with a clear message.
    init(port: Int, targetHost: String, targetPort: Int, logger: Logger) throws {
        self.port = port
        self.target = (targetHost, targetPort)
        self.logger = logger
        let socketType = Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue)
        let fd = socket(AF_INET, socketType, 0)
        guard fd >= 0 else { throw ForwarderError("socket", errno) }
        var reuse: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &reuse, socklen_t(MemoryLayout<Int32>.size))
        var address = Self.loopback(port: port)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, 64) == 0 else {
            let error = ForwarderError("listen on 127.0.0.1:\(port)", errno)
            close(fd)
            throw error
        }
        listener = fd
    }

    func start() {
        let thread = Thread { [self] in acceptLoop() }
        thread.name = "dev-broker-forwarder"
        thread.start()
    }

    /// Stops accepting; open connections end with the process.
    func stop() {
        guard !stopped.exchange(true, ordering: .relaxed) else { return }
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
    }

    private func acceptLoop() {
        while !stopped.load(ordering: .relaxed) {
            let client = accept(listener, nil, nil)
            guard client >= 0 else {
                if stopped.load(ordering: .relaxed) { return }
                if errno != EINTR { usleep(10_000) }
                continue
            }
            let upstream = connectToTarget()
            guard upstream >= 0 else {
                logger.warning("forwarder cannot reach the mock broker", ["kafka.target": "\(target.host):\(target.port)"])
                close(client)
                continue
            }
            let connection = ForwardedConnection(client: client, upstream: upstream)
            connection.pump(from: client, to: upstream)
            connection.pump(from: upstream, to: client)
        }
    }

    private func connectToTarget() -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return -1 }
        var address = Self.loopback(port: target.port, host: target.host)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            close(fd)
            return -1
        }
        var noDelay: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &noDelay, socklen_t(MemoryLayout<Int32>.size))
        return fd
    }

    private static func loopback(port: Int, host: String = "127.0.0.1") -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(truncatingIfNeeded: port)).bigEndian
        address.sin_addr.s_addr = inet_addr(host)
        return address
    }
}

/// Two sockets joined by two copying threads; whichever thread finishes last closes both.
private final class ForwardedConnection: Sendable {
    private let client: Int32
    private let upstream: Int32
    private let finished = Atomic<Int>(0)

    init(client: Int32, upstream: Int32) {
        self.client = client
        self.upstream = upstream
        var noDelay: Int32 = 1
        setsockopt(client, Int32(IPPROTO_TCP), TCP_NODELAY, &noDelay, socklen_t(MemoryLayout<Int32>.size))
    }

    func pump(from source: Int32, to destination: Int32) {
        let thread = Thread { [self] in
            var buffer = [UInt8](repeating: 0, count: 64 * 1024)
            copying: while true {
                let count = buffer.withUnsafeMutableBytes { recv(source, $0.baseAddress, $0.count, 0) }
                if count < 0 && errno == EINTR { continue }
                guard count > 0 else { break }
                var offset = 0
                while offset < count {
                    let sent = buffer.withUnsafeBytes { send(destination, $0.baseAddress.map { $0 + offset }, count - offset, Int32(MSG_NOSIGNAL)) }
                    if sent < 0 && errno == EINTR { continue }
                    guard sent > 0 else { break copying }
                    offset += sent
                }
            }
            shutdown(destination, Int32(SHUT_WR))
            shutdown(source, Int32(SHUT_RD))
            if finished.add(1, ordering: .acquiringAndReleasing).newValue == 2 {
                close(client)
                close(upstream)
            }
        }
        thread.name = "dev-broker-forward"
        thread.start()
    }
}

struct ForwarderError: Error, CustomStringConvertible {
    let description: String
    init(_ action: String, _ code: Int32) {
        description = "forwarder cannot \(action): \(String(cString: strerror(code)))"
    }
}
