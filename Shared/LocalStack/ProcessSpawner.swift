import Foundation
import Glibc

/// Starts a stack process with posix_spawn: stdin from /dev/null, stdout and stderr appended to
/// its log file, signal mask and dispositions reset, and every other inherited descriptor closed
/// (a service holding the write end of some pipe of ours would make its reader wait forever).
/// Foundation's `Process` offers neither a new session nor the descriptor hygiene.
enum ProcessSpawner {
    struct Request: Sendable {
        var executable: String
        var arguments: [String] = []
        var environment: [String: String]
        var logFile: String
        /// A new session (setsid): the process outlives the CLI that started it and never sees
        /// the terminal's Ctrl-C. Otherwise it stays in our process group, so a Ctrl-C that stops
        /// a test run stops the test's stack with it.
        var newSession: Bool
    }

    /// glibc's POSIX_SPAWN_SETSID (spawn.h, glibc ≥ 2.26); not imported into Swift because it is
    /// behind _GNU_SOURCE.
    private static let setSessionFlag: Int32 = 0x80

    static func spawn(_ request: Request) throws -> Int32 {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, request.logFile, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        // glibc ignores EBADF for these, so a descriptor closed meanwhile does no harm.
        for descriptor in openDescriptors() where descriptor > 2 {
            posix_spawn_file_actions_addclose(&actions, descriptor)
        }

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var emptyMask = sigset_t()
        sigemptyset(&emptyMask)
        posix_spawnattr_setsigmask(&attributes, &emptyMask)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for number in [SIGPIPE, SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGCHLD, SIGUSR1, SIGUSR2] {
            sigaddset(&defaults, number)
        }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        let session = request.newSession ? setSessionFlag : 0
        posix_spawnattr_setflags(&attributes, Int16(session | Int32(POSIX_SPAWN_SETSIGMASK) | Int32(POSIX_SPAWN_SETSIGDEF)))

        let argv = [request.executable] + request.arguments
        let envp = request.environment.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
        var pid: pid_t = 0
        let result = withCStrings(argv) { argvPointer in
            withCStrings(envp) { envPointer in
                posix_spawn(&pid, request.executable, &actions, &attributes, argvPointer, envPointer)
            }
        }
        guard result == 0 else {
            throw StackError(.spawn, "cannot start \(request.executable): \(errnoText(result))")
        }
        return pid
    }

    private static func openDescriptors() -> [Int32] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
        return names.compactMap { Int32($0) }
    }

    /// A NULL-terminated C string array valid during `body`; returns `body`'s errno-style result.
    private static func withCStrings(_ strings: [String], _ body: (UnsafePointer<UnsafeMutablePointer<CChar>?>) -> Int32) -> Int32 {
        var pointers: [UnsafeMutablePointer<CChar>?] = strings.map { strdup($0) }
        pointers.append(nil)
        defer { pointers.forEach { free($0) } }
        return pointers.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return EINVAL }
            return body(base)
        }
    }
}
