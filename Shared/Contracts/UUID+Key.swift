import Foundation
import Runtime

extension UUID {
    /// The one text form of ids in Kafka keys, logs, task environments and ledgers: lower-case,
    /// so the same run reads the same everywhere (Foundation's `uuidString` is upper-case).
    /// Written directly: `uuidString` formats with `printf`, and every message key is one.
    public var key: String {
        WireValueWriter.lowercaseText(self)
    }
}
