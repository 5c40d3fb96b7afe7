/// The rows of one result, read lazily from libpq's buffer: a value becomes a Swift value only
/// when a decoder asks for it, and column names are looked up in an index built once per result.
public struct PostgresRows: RandomAccessCollection, Sendable {
    let result: PostgresResult

    /// Rows inserted, updated or deleted by the statement (for SELECT, rows returned).
    public let affectedRows: Int

    init(_ result: PostgresResult) {
        self.result = result
        affectedRows = result.affectedRows
    }

    public var startIndex: Int { 0 }
    public var endIndex: Int { result.rowCount }

    public subscript(i: Int) -> PostgresRow {
        precondition(i >= 0 && i < result.rowCount, "row index \(i) out of range 0..<\(result.rowCount)")
        return PostgresRow(result: result, row: i)
    }

    /// Column names in result order, for diagnostics.
    public var columns: [String] { result.columnNames }
}
