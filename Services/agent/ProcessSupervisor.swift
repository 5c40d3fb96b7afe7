private import CSpawn
import Foundation
import Synchronization

/// Starts task processes and reports their exit. `start` and `wait(for:)` are separate so the
/// caller holds the pid (also the process group id) while the task runs, to signal the group.
/// Children are started from one thread that lives as long as the agent, because PR_SET_PDEATHSIG
/// fires when the *thread* that started them exits; one reaper thread collects every child with
/// waitpid(-1).
/// No Foundation.Process in this process, so the reaper never steals anybody else's child.
final class ProcessSupervisor: Sendable {
    struct SpawnError: Error, CustomStringConvertible {
        let description: String
    }

    private struct Job: @unchecked Sendable {
        let path: String
        let arguments: [String]
        let environment: [String]
        let directory: String
        let outputFD: Int32
        let user: UserAccount?
        let done: CheckedContinuation<Int32, Never>
    }

    private struct ReaperState {
        var live = 0
        var waiters: [Int32: CheckedContinuation<Int32, Never>] = [:]
        var exited: [Int32: Int32] = [:]
    }

    private let jobs = ConditionQueue<Job>()
    private let reaper = Mutex(ReaperState())
    private let childStarted = NSCondition()

    init() {
        let spawner = Thread { [jobs] in
            let parent = getpid()
            while true {
                let job = jobs.take()
                job.done.resume(returning: Self.spawn(job, parent: parent))
            }
        }
        spawner.name = "wl-spawner"
        spawner.start()
        let reaperThread = Thread { [self] in reap() }
        reaperThread.name = "wl-reaper"
        reaperThread.start()
    }

    /// Starts `executable` (an absolute path, see `ExecutablePath.resolve`) with `arguments` as
    /// its argv, in a process group of its own, as `user` when given, with stdout and stderr
    /// appended to `logPath`, and returns its pid (which is also the group's id). The caller must
    /// `wait(for:)` the pid exactly once: its exit code is kept until then.
    func start(executable path: String, arguments: [String], environment: [String: String], directory: String,
               user: UserAccount?, logPath: String) async throws -> Int32 {
        guard !arguments.isEmpty else { throw SpawnError(description: "empty command") }
        let fd = open(logPath, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw SpawnError(description: "cannot open log \(logPath): \(String(cString: strerror(errno)))") }
        // The child has its own copy once started; this one is only needed until then.
        defer { close(fd) }
        let pid = await withCheckedContinuation { continuation in
            reaper.withLock { $0.live += 1 }
            jobs.put(Job(path: path, arguments: arguments, environment: environment.map { "\($0.key)=\($0.value)" },
                         directory: directory, outputFD: fd, user: user, done: continuation))
        }
        wakeReaper()
        guard pid > 0 else {
            reaper.withLock { $0.live -= 1 }
            throw SpawnError(description: "cannot start the process: \(String(cString: strerror(-pid)))")
        }
        return pid
    }

    /// Waits for `pid`, started by `start`, to exit; returns its exit code (128 + signal when it
    /// was killed). Not cancellable: the outcome of a running process is always needed.
    func wait(for pid: Int32) async -> Int32 {
        await withCheckedContinuation { continuation in
            let code = reaper.withLock { state -> Int32? in
                if let code = state.exited.removeValue(forKey: pid) { return code }
                state.waiters[pid] = continuation
                return nil
            }
            if let code { continuation.resume(returning: code) }
        }
    }

    /// Broadcasts under the condition's lock, so a reaper about to wait cannot miss it.
    private func wakeReaper() {
        childStarted.lock()
        childStarted.broadcast()
        childStarted.unlock()
    }

    /// Sends `signal` to the whole process group of a task.
    func signalGroup(_ pid: Int32, _ signal: Int32) { _ = wl_kill_group(pid, signal) }

    /// True while any process of the task's group has not exited: its leader may be gone while
    /// children it started live on. Exited processes nobody reaped yet (zombies, for instance
    /// under a PID 1 that does not reap orphans) do not count.
    func groupIsAlive(_ pid: Int32) -> Bool {
        guard wl_kill_group(pid, 0) != -ESRCH else { return false }
        return ProcessTable.hasRunningMember(group: pid)
    }

    private func reap() {
        while true {
            childStarted.lock()
            while reaper.withLock({ $0.live }) == 0 { _ = childStarted.wait(until: Date(timeIntervalSinceNow: 1)) }
            childStarted.unlock()
            var code: Int32 = 0
            let pid = wl_wait_any(&code)
            guard pid > 0 else {
                Thread.sleep(forTimeInterval: 0.01)
                continue
            }
            let waiter = reaper.withLock { state -> CheckedContinuation<Int32, Never>? in
                state.live -= 1
                if let waiter = state.waiters.removeValue(forKey: pid) { return waiter }
                state.exited[pid] = code
                return nil
            }
            waiter?.resume(returning: code)
        }
    }

    private static func spawn(_ job: Job, parent: pid_t) -> Int32 {
        let groups = job.user?.groups ?? []
        return withCStrings(job.arguments) { argv in
            withCStrings(job.environment) { envp in
                groups.withUnsafeBufferPointer { groupList in
                    var credentials = wl_credentials(change: job.user == nil ? 0 : 1, uid: job.user?.uid ?? 0, gid: job.user?.gid ?? 0,
                                                     groups: groupList.baseAddress, group_count: Int32(groupList.count))
                    return wl_spawn(job.path, argv, envp, job.directory, job.outputFD, parent, &credentials)
                }
            }
        }
    }
}

/// A NUL-terminated array of C strings alive for the duration of `body`.
private func withCStrings<R>(_ strings: [String], _ body: ([UnsafeMutablePointer<CChar>?]) -> R) -> R {
    var pointers: [UnsafeMutablePointer<CChar>?] = strings.map { strdup($0) }
    pointers.append(nil)
    defer { pointers.forEach { free($0) } }
    return body(pointers)
}

/// A blocking FIFO for handing work to a dedicated thread.
final class ConditionQueue<Element>: @unchecked Sendable {
    private let condition = NSCondition()
    private var items: [Element] = []

    func put(_ item: Element) {
        condition.lock()
        items.append(item)
        condition.signal()
        condition.unlock()
    }

    func take() -> Element {
        condition.lock()
        defer { condition.unlock() }
        while items.isEmpty { condition.wait() }
        return items.removeFirst()
    }
}
