import Foundation

/// CPU time and memory of a process, from `/proc` (Linux).
struct ProcessUsage: Sendable {
    /// User + system time of the process and of its children it has waited for (an agent's
    /// finished task processes count as its work).
    var cpuSeconds: Double
    /// Resident set size now, and its peak since the process started (VmHWM).
    var rssBytes: Int
    var peakRSSBytes: Int

    private static let ticks = Double(max(1, sysconf(Int32(_SC_CLK_TCK))))

    static func read(_ pid: Int32) -> ProcessUsage? {
        guard let stat = fields(pid), stat.count > 14 else { return nil }
        // Fields after "pid (comm)": state is [0], ppid [1], utime [11], stime [12], cutime [13], cstime [14].
        let cpu = stat[11...14].compactMap { Double($0) }.reduce(0, +) / ticks
        let status = (try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)) ?? ""
        return ProcessUsage(cpuSeconds: cpu, rssBytes: kilobytes("VmRSS", in: status) * 1_024,
                            peakRSSBytes: kilobytes("VmHWM", in: status) * 1_024)
    }

    /// CPU seconds of a server that forks a process per connection (Postgres): the main process
    /// with its reaped children, plus the children alive now.
    static func treeCPUSeconds(_ pid: Int32) -> Double {
        var total = read(pid)?.cpuSeconds ?? 0
        for child in children(of: pid) {
            if let stat = fields(child), stat.count > 12 {
                total += stat[11...12].compactMap { Double($0) }.reduce(0, +) / ticks
            }
        }
        return total
    }

    private static func children(of parent: Int32) -> [Int32] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap(Int32.init).filter { pid in fields(pid).map { $0.count > 1 && $0[1] == "\(parent)" } ?? false }
    }

    /// `/proc/<pid>/stat` split after the command name (which may hold spaces).
    private static func fields(_ pid: Int32) -> [Substring]? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = text.lastIndex(of: ")") else { return nil }
        return text[text.index(after: close)...].split(separator: " ")
    }

    private static func kilobytes(_ key: String, in status: String) -> Int {
        for line in status.split(separator: "\n") where line.hasPrefix(key + ":") {
            return Int(line.dropFirst(key.count + 1).split(whereSeparator: \.isWhitespace).first ?? "") ?? 0
        }
        return 0
    }
}
