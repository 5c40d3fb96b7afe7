import Contracts
import Dispatch
import Foundation

/// Where an attempt's files go: the run's scratch directory on this agent, whatever the task's
/// working directory is, so they are found in one place and cleaned up together.
struct AttemptFiles: Sendable {
    let directory: String
    let log: String
    let output: String

    init(workDirectory: String, task: TaskSpec, attempt: Int) {
        directory = "\(workDirectory)/runs/\(task.runID.key)"
        log = "\(directory)/\(task.taskID).\(attempt).log"
        output = "\(directory)/\(task.taskID).\(attempt).output"
    }

    /// The default working directory of the run's tasks that run as `user`: owned by that user,
    /// private to it. The log and the output file stay in the run's directory, which the agent
    /// owns, so a task cannot swap them for links to files only the agent may read.
    func directory(for user: UserAccount) -> String { "\(directory)/as-\(user.name)" }
}

extension AttemptRunner {
    /// Prepares the attempt's files and working directory and starts its process; returns its pid.
    func start(_ plan: AttemptPlan) async throws -> Int32 {
        let files = plan.files
        try Self.prepare(files, user: plan.user)
        var isDirectory: ObjCBool = false
        // The run's directory, the default, was just made sure of.
        guard plan.directory == files.directory
            || FileManager.default.fileExists(atPath: plan.directory, isDirectory: &isDirectory) && isDirectory.boolValue else {
            throw ProcessSupervisor.SpawnError(description: "working directory \(plan.directory) does not exist")
        }
        guard let executable = plan.executable else {
            throw ProcessSupervisor.SpawnError(description: "command not found: \(plan.task.command.arguments.first ?? "")")
        }
        return try await supervisor.start(executable: executable, arguments: plan.task.command.arguments, environment: plan.environment,
                                          directory: plan.directory, user: plan.user, logPath: files.log)
    }

    /// Creates the run's directory and clears the attempt's output file: a stale one (left by an
    /// earlier start of this attempt on this agent) must not count as this attempt's outputs. A
    /// task run as the agent's own user creates the file when it first writes it (`>>` does); none
    /// is created ahead, because a file per task is most of what starting a short task costs the
    /// agent (an inode allocated; docs/performance.md, item 57). A task run as another user cannot
    /// create files in the run's directory, so it is handed an empty one it owns, and a working
    /// directory of its own.
    private static func prepare(_ files: AttemptFiles, user: UserAccount?) throws {
        try makeRunDirectory(files.directory)
        guard unlink(files.output) == 0 || errno == ENOENT else {
            throw ProcessSupervisor.SpawnError(description: "cannot clear output file \(files.output): \(String(cString: strerror(errno)))")
        }
        guard let user else { return }
        let output = open(files.output, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard output >= 0 else {
            throw ProcessSupervisor.SpawnError(description: "cannot create output file \(files.output): \(String(cString: strerror(errno)))")
        }
        close(output)
        let home = files.directory(for: user)
        try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        for path in [files.output, home] where chown(path, user.uid, user.gid) != 0 {
            throw ProcessSupervisor.SpawnError(description: "cannot give \(path) to user \(user.name): \(String(cString: strerror(errno)))")
        }
    }

    /// Creates the run's directory unless it exists: one `mkdir` for every attempt after the
    /// run's first (FileManager's `createDirectory` made three system calls and its own checks).
    /// Searchable by everyone: a task run as another user must reach its output file.
    private static func makeRunDirectory(_ path: String) throws {
        if mkdir(path, 0o755) == 0 {
            // Whatever the agent's umask.
            guard chmod(path, 0o755) == 0 else {
                throw ProcessSupervisor.SpawnError(description: "cannot make \(path) searchable: \(String(cString: strerror(errno)))")
            }
            return
        }
        switch errno {
        case EEXIST: return
        case ENOENT:
            // The agent's `runs` directory is missing (the first attempt, or it was removed).
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
        default:
            throw ProcessSupervisor.SpawnError(description: "cannot create \(path): \(String(cString: strerror(errno)))")
        }
    }

    /// Waits for the process to exit, under its timeout and any kill command; returns its exit code.
    func supervise(_ pid: Int32, termination: Termination, timeout: Int?) async -> Int32 {
        termination.started(pid, timeout: timeout.map { .seconds($0) })
        let code = await supervisor.wait(for: pid)
        if let stop = termination.leaderExited() {
            await sweep(pid, until: stop.killAt)
        }
        return code
    }

    /// A stopped task's leader has exited; what else runs in its group gets until the stop's
    /// kill time to follow, then SIGKILL. The attempt is reported only after, so a reported kill
    /// means the processes are gone.
    private func sweep(_ pid: Int32, until deadline: ContinuousClock.Instant) async {
        while supervisor.groupIsAlive(pid) {
            guard ContinuousClock.now < deadline else {
                supervisor.signalGroup(pid, SIGKILL)
                return
            }
            await Self.nap(milliseconds: 50)
        }
    }

    /// Sleeps even when the task is cancelled: a draining agent still waits out a grace period.
    private static func nap(milliseconds: Int) async {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(milliseconds)) { continuation.resume() }
        }
    }
}
