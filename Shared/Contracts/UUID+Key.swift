import Foundation

extension UUID {
    /// The one text form of ids in Kafka keys, logs, task environments and ledgers: lower-case,
    /// so the same run reads the same everywhere (Foundation's `uuidString` is upper-case).
    public var key: String { uuidString.lowercased() }
}
