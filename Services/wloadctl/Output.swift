import Foundation

/// Where the CLI writes: results on stdout (so `id=$(wloadctl run start …)` works), progress and
/// errors on stderr.
enum Output {
    /// Unbuffered, so a run id reaches a pipe before the (long) wait that may follow it.
    static func line(_ text: String) {
        FileHandle.standardOutput.write(Data((text + "\n").utf8))
    }

    static func error(_ text: String) {
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }

    /// Writes to stderr without a newline (progress lines redrawn in place).
    static func progress(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }

    static var stderrIsTerminal: Bool { isatty(STDERR_FILENO) == 1 }
}

/// Left-aligned text columns sized to their widest cell.
struct Table {
    let headers: [String]
    var rows: [[String]] = []

    init(_ headers: String...) {
        self.headers = headers
    }

    mutating func add(_ cells: String...) {
        rows.append(cells)
    }

    func render() -> String {
        let all = [headers] + rows
        let widths = headers.indices.map { column in
            all.map { column < $0.count ? $0[column].count : 0 }.max() ?? 0
        }
        return all.map { row in
            row.enumerated().map { column, cell in
                column == row.count - 1 ? cell : cell.padding(toLength: widths[column], withPad: " ", startingAt: 0)
            }.joined(separator: "  ")
        }.joined(separator: "\n")
    }
}

extension Optional where Wrapped == String {
    /// The value, or `-` in a table cell.
    var orDash: String { self.flatMap { $0.isEmpty ? nil : $0 } ?? "-" }
}
