/// A line diff for `workflow history`: common prefix and suffix are trimmed first (a changed
/// definition usually differs in a few places), then a longest-common-subsequence table orders
/// the rest. A middle too large for the table is shown as removed-then-added, which is still
/// correct, only less minimal.
public enum LineDiff {
    public enum Line: Sendable, Equatable, Codable {
        case same(String), removed(String), added(String)

        /// "  text", "- text" or "+ text".
        public var rendered: String {
            switch self {
            case .same(let text): "  \(text)"
            case .removed(let text): "- \(text)"
            case .added(let text): "+ \(text)"
            }
        }
    }

    static let maxTableCells = 4_000_000

    public static func diff(_ old: [String], _ new: [String]) -> [Line] {
        var prefix = 0
        while prefix < old.count, prefix < new.count, old[prefix] == new[prefix] { prefix += 1 }
        var suffix = 0
        while suffix < old.count - prefix, suffix < new.count - prefix, old[old.count - 1 - suffix] == new[new.count - 1 - suffix] {
            suffix += 1
        }
        let a = Array(old[prefix..<(old.count - suffix)])
        let b = Array(new[prefix..<(new.count - suffix)])
        return old[..<prefix].map(Line.same) + middle(a, b) + old[(old.count - suffix)...].map(Line.same)
    }

    /// Only the changed lines, each with `context` unchanged lines around it.
    public static func changes(_ old: [String], _ new: [String], context: Int = 2) -> [Line] {
        let lines = diff(old, new)
        let changed = lines.indices.filter { if case .same = lines[$0] { return false } else { return true } }
        var keep = Set<Int>()
        for index in changed { keep.formUnion(max(0, index - context)...min(lines.count - 1, index + context)) }
        return lines.indices.filter(keep.contains).map { lines[$0] }
    }

    private static func middle(_ a: [String], _ b: [String]) -> [Line] {
        guard !a.isEmpty, !b.isEmpty else { return a.map(Line.removed) + b.map(Line.added) }
        guard a.count * b.count <= maxTableCells else { return a.map(Line.removed) + b.map(Line.added) }
        // lengths[i][j]: LCS length of a[i...] and b[j...].
        var lengths = Array(repeating: Array(repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in stride(from: a.count - 1, through: 0, by: -1) {
            for j in stride(from: b.count - 1, through: 0, by: -1) {
                lengths[i][j] = a[i] == b[j] ? lengths[i + 1][j + 1] + 1 : max(lengths[i + 1][j], lengths[i][j + 1])
            }
        }
        var lines: [Line] = []
        var i = 0
        var j = 0
        while i < a.count, j < b.count {
            if a[i] == b[j] {
                lines.append(.same(a[i]))
                i += 1
                j += 1
            } else if lengths[i + 1][j] >= lengths[i][j + 1] {
                lines.append(.removed(a[i]))
                i += 1
            } else {
                lines.append(.added(b[j]))
                j += 1
            }
        }
        return lines + a[i...].map(Line.removed) + b[j...].map(Line.added)
    }
}
