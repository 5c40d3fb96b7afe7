/// A dotted path naming a string value that conditions and templates may read.
///
/// Only a fixed set of shapes is accepted so a typo fails when the workflow is applied rather than
/// silently reading nothing at run time.
public enum Reference: Hashable, Sendable, CustomStringConvertible {
    /// `params.<name>`: a run parameter.
    case parameter(String)
    /// `tasks.<task>.outputs.<key>`: an output written by an upstream task.
    case output(task: String, key: String)
    /// One of ``Reference/builtinPaths``, stored as the full path (`"run.id"`).
    case builtin(String)

    /// The values the platform supplies for every run and task.
    public static let builtinPaths: [String] = [
        "run.id", "run.logicalTime", "run.logicalDate", "run.tenant", "run.workflow", "task.id", "task.attempt",
    ]

    public var description: String {
        switch self {
        case .parameter(let name): "params.\(name)"
        case .output(let task, let key): "tasks.\(task).outputs.\(key)"
        case .builtin(let path): path
        }
    }

    /// Parses a path such as `params.region` or `tasks.extract.outputs.rows`.
    public static func parse(_ path: String) throws(ExpressionError) -> Reference {
        let parts = path.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        switch parts.first {
        case "params":
            guard parts.count == 2, ParameterNames.isValid(parts[1]) else {
                throw invalid(path, "parameters are written params.<name>, the name made of letters, digits and '_'")
            }
            return .parameter(parts[1])
        case "tasks":
            guard parts.count == 4, parts[2] == "outputs" else {
                throw invalid(path, "task outputs are written tasks.<task>.outputs.<key>")
            }
            guard isReferableTaskID(parts[1]) else {
                throw invalid(path, "the task id must be 1-\(DefinitionLimits.maxNameLength) letters, digits, '_' or '-', starting with a letter or digit (a task whose id contains '.' cannot be referenced)")
            }
            guard ParameterNames.isValid(parts[3]) else {
                throw invalid(path, "output keys are letters, digits and '_'")
            }
            return .output(task: parts[1], key: parts[3])
        case "run", "task":
            guard builtinPaths.contains(path) else {
                throw invalid(path, "the run and task values are \(builtinPaths.joined(separator: ", "))")
            }
            return .builtin(path)
        default:
            throw invalid(path, "a reference is params.<name>, tasks.<task>.outputs.<key>, or one of \(builtinPaths.joined(separator: ", "))")
        }
    }

    /// What to tell the author when a lookup finds nothing for this reference.
    var unavailableMessage: String {
        switch self {
        case .parameter: "\(self) is not set"
        case .output(let task, let key): "task '\(task)' wrote no output '\(key)'"
        case .builtin: "\(self) is not available here"
        }
    }

    /// Task ids as definitions allow them, minus '.', which would be read as a path separator.
    private static func isReferableTaskID(_ text: String) -> Bool {
        DefinitionNames.isIdentifier(text) && !text.contains(".")
    }

    private static func invalid(_ path: String, _ hint: String) -> ExpressionError {
        ExpressionError("'\(path)' is not a valid reference: \(hint)")
    }
}

/// Reads the string a reference names; nil when it is not available (an unset parameter, an output
/// the task never wrote).
public typealias ValueLookup = (Reference) -> String?
