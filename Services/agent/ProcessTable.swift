import Foundation

/// Reads Linux's `/proc` to tell whether a process group still has live members. `killpg(pg, 0)`
/// alone cannot: it also succeeds for exited processes nobody reaped, and a task's orphaned
/// children are reaped by PID 1, which in a container may never do it.
enum ProcessTable {
    /// True when a process in `group` has not exited. Where `/proc` cannot be read, every group
    /// counts as live, so callers fall back to their deadline.
    static func hasRunningMember(group: Int32) -> Bool {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return true }
        return entries.contains { entry in
            guard Int32(entry) != nil, let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8) else { return false }
            guard let fields = fields(of: stat) else { return false }
            return fields.group == group && fields.state != "Z" && fields.state != "X"
        }
    }

    /// The state and process group of a `/proc/<pid>/stat` line: `pid (comm) state ppid pgrp …`.
    /// The command name may hold spaces and parentheses, so the fields are counted from the
    /// last `)`.
    static func fields(of stat: String) -> (state: Substring, group: Int32)? {
        guard let close = stat.lastIndex(of: ")") else { return nil }
        let rest = stat[stat.index(after: close)...].split(separator: " ", maxSplits: 4)
        guard rest.count >= 3, let group = Int32(rest[2]) else { return nil }
        return (rest[0], group)
    }
}
