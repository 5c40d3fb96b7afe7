/// Finds the file a command's argv[0] executes, the way the agent will execute it. The agent's
/// policy is checked against this path and the process is started from exactly this path, so
/// what was checked is what runs: a task cannot pass the check with one file and run another by
/// changing its PATH, by a relative name or by `..` segments.
public enum ExecutablePath {
    /// `path` (absolute) without `.` and `..` segments and repeated slashes. `..` is applied
    /// lexically; the agent then executes the normalised path, in which the kernel finds no `..`
    /// to resolve through a symbolic link, so a prefix check on it cannot be escaped that way.
    public static func normalise(_ path: String) -> String {
        var parts: [Substring] = []
        for part in path.split(separator: "/", omittingEmptySubsequences: true) {
            switch part {
            case ".": continue
            case "..": _ = parts.popLast()
            default: parts.append(part)
            }
        }
        return "/" + parts.joined(separator: "/")
    }

    /// The absolute, normalised path `program` names:
    /// - with a slash: itself, relative to `workingDirectory` when it does not start with `/`
    ///   (as `execve` would read it in the task's working directory);
    /// - without one: the first entry of `searchPath` (a PATH value) holding an executable file
    ///   of that name. Relative PATH entries (empty, `.`) are skipped: they would name a
    ///   different file in the agent than in the task.
    ///
    /// Nil when a bare name is found nowhere.
    public static func resolve(_ program: String, searchPath: String, workingDirectory: String,
                               isExecutable: (String) -> Bool) -> String? {
        guard !program.isEmpty else { return nil }
        if program.hasPrefix("/") { return normalise(program) }
        if program.contains("/") { return normalise(workingDirectory + "/" + program) }
        for directory in searchPath.split(separator: ":", omittingEmptySubsequences: true) where directory.hasPrefix("/") {
            let candidate = normalise("\(directory)/\(program)")
            if isExecutable(candidate) { return candidate }
        }
        return nil
    }

    /// Whether the normalised absolute `path` lies inside `directory` (itself normalised): a
    /// prefix matches whole segments only, so `/opt/jobs` admits `/opt/jobs/x`, not `/opt/jobsx`.
    public static func isInside(_ path: String, directory: String) -> Bool {
        directory == "/" || path.hasPrefix(directory + "/")
    }
}
