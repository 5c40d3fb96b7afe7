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
}

extension AttemptRunner {
    /// Prepares the attempt's files and working directory and starts its process; returns its pid.
    func start(_ dispatch: Envelope<TaskDispatch>, files: AttemptFiles) async throws -> Int32 {
        let task = dispatch.payload.task
        try FileManager.default.createDirectory(atPath: files.directory, withIntermediateDirectories: true)
        // Empty on every start, so only what this attempt writes counts.
        guard FileManager.default.createFile(atPath: files.output, contents: nil) else {
            throw ProcessSupervisor.SpawnError(description: "cannot create output file \(files.output)")
        }
        let directory = task.directory ?? files.directory
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw ProcessSupervisor.SpawnError(description: "working directory \(directory) does not exist")
        }
        return try await supervisor.start(arguments: task.command.arguments, environment: environment(dispatch, outputPath: files.output),
                                          directory: directory, logPath: files.log)
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
