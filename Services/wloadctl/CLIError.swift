/// A failure the CLI reports as `error: <message>` on stderr before exiting with `exitCode`.
/// Exit codes: 1 for failures (API errors, failed runs, an unreachable stack), 2 for bad usage
/// and for `--timeout` expiring, so scripts can tell "it failed" from "I asked wrongly/too soon".
struct CLIError: Error, CustomStringConvertible {
    let message: String
    let exitCode: Int32
    /// Usage text to print after the message (bad usage of one command).
    let usage: String?

    init(_ message: String, exitCode: Int32 = 1, usage: String? = nil) {
        self.message = message
        self.exitCode = exitCode
        self.usage = usage
    }

    var description: String { message }

    static func usage(_ message: String, _ usage: String = Usage.text) -> CLIError {
        CLIError(message, exitCode: 2, usage: usage)
    }
}

/// Exit codes shared by the commands.
enum ExitCode {
    static let success: Int32 = 0
    static let failure: Int32 = 1
    static let usage: Int32 = 2
    static let timeout: Int32 = 2
}
