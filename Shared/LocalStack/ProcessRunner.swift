import Foundation
import Glibc

/// A command that failed, with what it printed, so setup problems surface as one readable line.
public struct CommandError: Error, CustomStringConvertible, Sendable {
    public let command: String
    public let status: Int32
    public let output: String
    public var description: String { "`\(command)` exited \(status): \(output.trimmingCharacters(in: .whitespacesAndNewlines))" }
}

/// Runs short setup commands (initdb, pg_ctl, psql) to completion, capturing their output.
///
/// Not Foundation's `Process`: it hands every child a socket it watches for the child's exit, and
/// `pg_ctl start` passes that socket on to the postmaster, so waiting for pg_ctl never ended while
/// Postgres ran. Here the child inherits no descriptors but its output file, and we wait with
/// waitpid.
public enum ProcessRunner {
    @discardableResult
    public static func run(_ arguments: [String], environment: [String: String]? = nil) throws -> String {
        let pattern = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("wl-command-XXXXXX").path
        var template = Array(pattern.utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { buffer in
            buffer.baseAddress.map { mkstemp($0) } ?? -1
        }
        guard fd >= 0 else { throw CommandError(command: arguments.joined(separator: " "), status: -1, output: "cannot create a temporary file: \(errnoText())") }
        close(fd)
        let outputPath = String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
        defer { unlink(outputPath) }

        let command = arguments.joined(separator: " ")
        let pid: Int32
        do {
            pid = try ProcessSpawner.spawn(ProcessSpawner.Request(
                executable: "/usr/bin/env", arguments: arguments,
                environment: environment ?? ProcessInfo.processInfo.environment,
                logFile: outputPath, newSession: false))
        } catch {
            throw CommandError(command: command, status: -1, output: "\(error)")
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            guard errno == EINTR else {
                throw CommandError(command: command, status: -1, output: "waitpid failed: \(errnoText())")
            }
        }
        let output = SmallFile.readText(outputPath) ?? ""
        let exitCode = (status & 0x7F) == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
        guard exitCode == 0 else {
            throw CommandError(command: command, status: exitCode, output: output)
        }
        return output
    }

    /// True when this process runs as root, where Postgres must be started as the `postgres` user.
    public static var isRoot: Bool { getuid() == 0 }

    /// Prefixes `arguments` so they run as `user` when we are root (Postgres refuses to run as root).
    public static func asUser(_ user: String, _ arguments: [String]) -> [String] {
        isRoot ? ["runuser", "-u", user, "--"] + arguments : arguments
    }
}
