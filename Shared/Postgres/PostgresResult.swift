import Foundation
internal import CPostgres

/// Owns one `PGresult` (freed in `deinit`) and the column-name index built once for it.
///
/// libpq documents a PGresult as read-only after creation and safe to read from any thread, which
/// is what makes rows `Sendable` and lets them outlive the connection's turn.
final class PostgresResult: @unchecked Sendable {
    private let handle: OpaquePointer
    let rowCount: Int
    let columnCount: Int
    /// Rows the command touched (`PQcmdTuples`): inserted/updated/deleted, or selected.
    let affectedRows: Int
    /// Built only when there are rows to read; first column wins on duplicate names, as in libpq.
    let columnIndex: [String: Int]

    init(_ handle: OpaquePointer) {
        self.handle = handle
        rowCount = Int(PQntuples(handle))
        columnCount = Int(PQnfields(handle))
        affectedRows = Self.parseCount(PQcmdTuples(handle))
        var index: [String: Int] = [:]
        if rowCount > 0 {
            index.reserveCapacity(columnCount)
            for column in 0..<columnCount {
                guard let name = PQfname(handle, Int32(column)) else { continue }
                let key = String(cString: name)
                if index[key] == nil { index[key] = column }
            }
        }
        columnIndex = index
    }

    deinit { PQclear(handle) }

    var columnNames: [String] {
        (0..<columnCount).map { column in PQfname(handle, Int32(column)).map { String(cString: $0) } ?? "?" }
    }

    func isNull(row: Int, column: Int) -> Bool {
        PQgetisnull(handle, Int32(row), Int32(column)) != 0
    }

    /// Lends the value's text bytes (not NUL-terminated view) without copying.
    func withValue<R, E: Error>(row: Int, column: Int, _ body: (UnsafeBufferPointer<UInt8>) throws(E) -> R) throws(E) -> R {
        let length = Int(PQgetlength(handle, Int32(row), Int32(column)))
        let pointer = PQgetvalue(handle, Int32(row), Int32(column))
        let bytes = UnsafeBufferPointer(start: pointer.map { UnsafeRawPointer($0).assumingMemoryBound(to: UInt8.self) },
                                        count: pointer == nil ? 0 : length)
        return try body(bytes)
    }

    private static func parseCount(_ text: UnsafeMutablePointer<CChar>?) -> Int {
        guard let text else { return 0 }
        var value = 0
        var cursor = text
        while cursor.pointee >= 0x30 && cursor.pointee <= 0x39 {
            value = value &* 10 &+ Int(cursor.pointee - 0x30)
            cursor += 1
        }
        return value
    }
}
