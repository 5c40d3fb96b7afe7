import Foundation

/// A command that failed, with what it printed, so setup problems surface as one readable line.
public struct CommandError: Error, CustomStringConvertible, Sendable {
    public let command: String
    public let status: Int32
    public let output: String
    public var description: String { "`\(command)` exited \(status): \(output.trimmingCharacters(in: .whitespacesAndNewlines))" }
}

/// Runs short setup commands (initdb, pg_ctl, createdb) to completion, capturing their output.
public enum ProcessRunner {
    @discardableResult
    public static func run(_ arguments: [String], environment: [String: String]? = nil) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        if let environment { process.environment = environment }
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let output = String(decoding: data, as: UTF8.self)
        guard process.terminationStatus == 0 else {
            throw CommandError(command: arguments.joined(separator: " "), status: process.terminationStatus, output: output)
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
