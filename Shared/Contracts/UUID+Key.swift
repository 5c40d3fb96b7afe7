import Foundation

extension UUID {
    /// The one text form of ids in Kafka keys, logs, task environments and ledgers: lower-case,
    /// so the same run reads the same everywhere (Foundation's `uuidString` is upper-case).
    /// Written directly: `uuidString` formats with `printf`, and every message key is one.
    public var key: String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(36)
        WireValueWriter.writeHex(self, digits: WireValueWriter.lowerHex, into: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }
}
