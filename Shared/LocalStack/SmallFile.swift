import Foundation
import Glibc

/// Reading and writing the stack's small state files (pid files, the token, /proc entries).
/// Writes go through a temporary file and rename, so a reader never sees half a file.
enum SmallFile {
    /// The whole file, or nil when it cannot be read. Reads until EOF because /proc files report
    /// a size of zero.
    static func read(_ path: String) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if count < 0, errno == EINTR { continue }
            guard count > 0 else { return count == 0 ? bytes : nil }
            bytes.append(contentsOf: buffer[0..<count])
        }
    }

    static func readText(_ path: String) -> String? {
        read(path).map { String(decoding: $0, as: UTF8.self) }
    }

    /// Atomically replaces `path` with `text`, created with `mode`.
    static func write(_ text: String, to path: String, mode: mode_t = 0o644) throws {
        let temporary = path + ".tmp.\(getpid())"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode)
        guard fd >= 0 else { throw StackError(.configuration, "cannot write \(temporary): \(errnoText())") }
        let bytes = Array(text.utf8)
        var written = 0
        while written < bytes.count {
            let count = bytes[written...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if count < 0, errno == EINTR { continue }
            guard count > 0 else {
                let problem = errnoText()
                close(fd)
                unlink(temporary)
                throw StackError(.configuration, "cannot write \(temporary): \(problem)")
            }
            written += count
        }
        fchmod(fd, mode)
        close(fd)
        guard rename(temporary, path) == 0 else {
            let problem = errnoText()
            unlink(temporary)
            throw StackError(.configuration, "cannot rename \(temporary) to \(path): \(problem)")
        }
    }

    static func remove(_ path: String) {
        unlink(path)
    }

    static func exists(_ path: String) -> Bool {
        access(path, F_OK) == 0
    }

    /// The last `lines` lines of a log file, for error messages.
    static func tail(_ path: String, lines: Int = 25) -> String {
        guard let text = readText(path) else { return "(no log at \(path))" }
        return text.split(separator: "\n", omittingEmptySubsequences: false)
            .suffix(lines + 1)
            .joined(separator: "\n")
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
