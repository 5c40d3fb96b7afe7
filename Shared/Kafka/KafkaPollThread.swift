internal import CRdKafka
import Foundation
import Synchronization

/// A dedicated thread that calls `rd_kafka_poll` so delivery reports and client callbacks are
/// served without ever blocking the Swift cooperative pool. It holds the client, so the client is
/// destroyed on this thread after `stop()` rather than on whichever thread dropped the last
/// reference.
final class KafkaPollThread: Sendable {
    private let flag = StopFlag()

    init(client: RdKafkaClient, name: String) {
        let thread = Thread { [flag] in
            while !flag.isStopped {
                rd_kafka_poll(client.pointer, 100)
            }
            // Serve reports that arrived while stopping, so no continuation is left waiting.
            rd_kafka_poll(client.pointer, 0)
        }
        thread.name = name
        thread.start()
    }

    func stop() {
        flag.stop()
    }
}

/// A one-way switch one thread sets and another polls.
final class StopFlag: Sendable {
    private let stopped = Atomic<Bool>(false)
    var isStopped: Bool { stopped.load(ordering: .relaxed) }
    func stop() { stopped.store(true, ordering: .relaxed) }
}
