import Glibc
import Synchronization

/// How a stopped process ended, as far as this process can know: exit codes are visible only for
/// our own children (the processes an in-process test stack spawned).
public enum ProcessOutcome: Sendable, Equatable, CustomStringConvertible {
    case exited(Int32)
    case signalled(Int32)
    /// It is gone, but it was not our child, so its exit status is unknown.
    case gone
    /// It did not stop within the deadline and was sent SIGKILL.
    case killedAfterTimeout
    /// There was nothing to stop.
    case notRunning

    public var description: String {
        switch self {
        case .exited(let code): "exited with status \(code)"
        case .signalled(let signal): "killed by signal \(signal)"
        case .gone: "stopped"
        case .killedAfterTimeout: "did not stop in time; sent SIGKILL"
        case .notRunning: "was not running"
        }
    }
}

/// Liveness, identity, signals and exit waiting for pids read from pid files. Works both for our
/// own children (reaped here, so they do not linger as zombies that look alive) and for processes
/// a previous `wloadctl stack up` started and left detached.
enum ProcessControl {
    /// The outcome of a child reaped by `isAlive`, kept so `waitForExit` can still report it.
    private static let reaped = Mutex<[Int32: ProcessOutcome]>([:])

    /// True when `pid` runs and its argv[0] names `executable` (a pid from a stale pid file may
    /// have been reused by an unrelated process since a reboot).
    static func isAlive(_ pid: Int32, executable: String) -> Bool {
        guard isAlive(pid) else { return false }
        guard let command = commandName(pid) else { return false }
        return command == executable
    }

    static func isAlive(_ pid: Int32) -> Bool {
        guard pid > 0 else { return false }
        var status: Int32 = 0
        let waited = waitpid(pid, &status, WNOHANG)
        if waited == pid {
            let outcome = decode(status)
            reaped.withLock { $0[pid] = outcome }
            return false
        }
        guard kill(pid, 0) == 0 || errno == EPERM else { return false }
        return processState(pid) != "Z"
    }

    static func signal(_ pid: Int32, _ number: Int32) {
        _ = kill(pid, number)
    }

    /// Polls until `pid` has exited or `timeout` passes; returns nil on timeout.
    static func waitForExit(_ pid: Int32, timeout: Duration) async -> ProcessOutcome? {
        let deadline = ContinuousClock.now.advanced(by: timeout)
        while ContinuousClock.now < deadline {
            var status: Int32 = 0
            let waited = waitpid(pid, &status, WNOHANG)
            if waited == pid { return decode(status) }
            if waited < 0, errno == ECHILD {
                if let outcome = reaped.withLock({ $0.removeValue(forKey: pid) }) { return outcome }
                if !isAlive(pid) { return .gone }
            }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return nil
    }

    /// The file name of argv[0], from /proc.
    static func commandName(_ pid: Int32) -> String? {
        guard let bytes = SmallFile.read("/proc/\(pid)/cmdline"), !bytes.isEmpty else { return nil }
        let first = bytes.split(separator: 0, maxSplits: 1, omittingEmptySubsequences: false).first ?? []
        let path = String(decoding: first, as: UTF8.self)
        return path.split(separator: "/").last.map(String.init) ?? path
    }

    /// The one-letter state from /proc/<pid>/stat (`R`, `S`, `Z`, …).
    private static func processState(_ pid: Int32) -> Character? {
        guard let text = SmallFile.readText("/proc/\(pid)/stat"),
              let close = text.lastIndex(of: ")") else { return nil }
        return text[text.index(after: close)...].first { $0 != " " }
    }

    private static func decode(_ status: Int32) -> ProcessOutcome {
        let signal = status & 0x7F
        return signal == 0 ? .exited((status >> 8) & 0xFF) : .signalled(signal)
    }
}
