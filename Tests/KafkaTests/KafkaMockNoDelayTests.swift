import Foundation
import Kafka
import Testing

/// The dev broker answers without Nagle's delay: every connection it accepted has TCP_NODELAY,
/// as a real broker's do (without it, half the round trips waited 40 ms for a delayed ACK).
@Suite struct KafkaMockNoDelayTests {
    @Test func theBrokersAcceptedConnectionsHaveNagleOff() async throws {
        let cluster = try TestBroker.cluster.get()
        let ports = Set(cluster.bootstrapServers.split(separator: ",").compactMap { $0.split(separator: ":").last.flatMap { UInt16($0) } })
        let topic = TestBroker.unique("t.nodelay")
        try cluster.createTopic(topic, partitions: 2)
        let producer = try TestBroker.producer()  // kept until the end: its connection is the one checked
        try await producer.send(TestBroker.messages(topic: topic, count: 10))
        var states: [Int32: Int32] = [:]
        for _ in 0..<40 {
            try await Task.sleep(for: .milliseconds(100))
            states = Self.brokerSideSockets(localPorts: ports)
            if !states.isEmpty && states.values.allSatisfy({ $0 == 1 }) { break }
        }
        #expect(!states.isEmpty, "found the broker's side of the producer's connection")
        #expect(states.values.allSatisfy { $0 == 1 }, "TCP_NODELAY on every accepted connection: \(states)")
        try await producer.send(TestBroker.messages(topic: topic, count: 1))
    }

    /// fd → TCP_NODELAY of this process's connected TCP sockets whose local port is a broker's.
    static func brokerSideSockets(localPorts: Set<UInt16>) -> [Int32: Int32] {
        var result: [Int32: Int32] = [:]
        let names = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
        for name in names {
            guard let fd = Int32(name) else { continue }
            var address = sockaddr_in()
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            let named = withUnsafeMutablePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
            }
            guard named == 0, address.sin_family == sa_family_t(AF_INET), localPorts.contains(UInt16(bigEndian: address.sin_port)) else { continue }
            var peer = sockaddr_in()
            var peerLength = socklen_t(MemoryLayout<sockaddr_in>.size)
            let connected = withUnsafeMutablePointer(to: &peer) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getpeername(fd, $0, &peerLength) }
            }
            guard connected == 0 else { continue }  // the listener itself
            var value: Int32 = 0
            var size = socklen_t(MemoryLayout<Int32>.size)
            guard getsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &value, &size) == 0 else { continue }
            result[fd] = value
        }
        return result
    }
}
