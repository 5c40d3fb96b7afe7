/// Why the local stack could not do what was asked, worded for the operator who ran `make up` or
/// for a failing integration test; carries the tail of the process log when one explains it.
public struct StackError: Error, CustomStringConvertible, Sendable {
    public enum Code: Sendable, Equatable {
        /// A binary, directory or setting is missing or wrong; fix the setup and retry.
        case configuration
        /// A port the stack needs is held by another process.
        case portInUse
        /// The operating system refused to start a process.
        case spawn
        /// A process exited while the stack waited for it to become healthy.
        case exited
        /// A process did not become healthy (or did not stop) in time.
        case timeout
        /// A process name the stack does not know.
        case unknownComponent
        /// Several steps failed (`down` keeps going and reports them all).
        case multiple
    }

    public let code: Code
    public let message: String
    /// The last lines of the process's log, when the failure is a process's.
    public let logTail: String?

    public init(_ code: Code, _ message: String, logTail: String? = nil) {
        self.code = code
        self.message = message
        self.logTail = logTail
    }

    public var description: String {
        guard let logTail, !logTail.isEmpty else { return message }
        return message + "\n--- last log lines ---\n" + logTail
    }
}
