import Foundation
import Synchronization

/// The attempts this agent has started, kept on local disk. The dispatcher's outbox relay
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

    /// True when `key` was recorded before.
    func contains(_ key: String) -> Bool { state.withLock { $0.keys.contains(key) } }

    /// Records `keys` durably (fsync) before their processes start.
    func record(_ keys: [String]) throws {
        try state.withLock { state in
            let fresh = keys.filter { !state.keys.contains($0) }
            guard !fresh.isEmpty else { return }
            try state.handle?.write(contentsOf: Data(fresh.map { $0 + "\n" }.joined().utf8))
            try state.handle?.synchronize()
            state.keys.formUnion(fresh)
            state.order.append(contentsOf: fresh)
            if state.order.count > capacity * 2 { try compact(&state) }
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
