import Foundation
import Synchronization

/// The attempts this agent has accepted, kept on local disk. The dispatcher's outbox relay
/// delivers at least once, so the same dispatch can arrive twice (a relay killed after the
/// broker acknowledged but before the outbox row was deleted); an attempt found here is never
/// started again, even after this agent restarts. Bounded: the file is compacted to the newest
/// `capacity` entries when it doubles.
final class AttemptLedger: Sendable {
    private struct State {
        var keys: Set<String>
        var order: [String]
        var handle: FileHandle?
    }

    private let path: String
    private let capacity: Int
    private let state: Mutex<State>

    init(path: String, capacity: Int = 100_000) throws {
        self.path = path
        self.capacity = capacity
        let existing = (try? String(contentsOfFile: path, encoding: .utf8))?.split(separator: "\n").map(String.init) ?? []
        let order = Array(existing.suffix(capacity))
        if !FileManager.default.fileExists(atPath: path) {
            _ = FileManager.default.createFile(atPath: path, contents: nil)
        }
        let handle = FileHandle(forWritingAtPath: path)
        _ = try handle?.seekToEnd()
        state = Mutex(State(keys: Set(order), order: order, handle: handle))
    }

    /// Records `keys` durably (fsync) and returns those not recorded before, in order.
    func admit(_ keys: [String]) throws -> Set<String> {
        try state.withLock { state in
            var fresh = Set<String>()
            var lines = ""
            for key in keys where !state.keys.contains(key) && fresh.insert(key).inserted {
                lines += key + "\n"
            }
            guard !fresh.isEmpty else { return fresh }
            try state.handle?.write(contentsOf: Data(lines.utf8))
            try state.handle?.synchronize()
            for key in keys where fresh.contains(key) {
                state.keys.insert(key)
                state.order.append(key)
            }
            if state.order.count > capacity * 2 { try compact(&state) }
            return fresh
        }
    }

    private func compact(_ state: inout State) throws {
        let kept = Array(state.order.suffix(capacity))
        let temporary = path + ".tmp"
        try Data((kept.joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: temporary), options: .atomic)
        try? state.handle?.close()
        _ = rename(temporary, path)
        state.handle = FileHandle(forWritingAtPath: path)
        _ = try state.handle?.seekToEnd()
        state.order = kept
        state.keys = Set(kept)
    }
}
