import Foundation

extension WorkflowDefinition {
    /// Parses and validates a definition document. Every problem names where it is.
    public static func parse(_ bytes: [UInt8]) throws(DefinitionError) -> WorkflowDefinition {
        let document: JSONValue
        do { document = try WireCoding.decode(JSONValue.self, from: bytes) } catch {
            throw DefinitionError(WireCoding.describe(error))
        }
        let definition = try DefinitionReader.workflow(document)
        try validateGraph(definition)
        try validateReferences(definition)
        return definition
    }

    /// Checks references and acyclicity; `parse` calls it, and code that builds definitions can too.
    public static func validateGraph(_ definition: WorkflowDefinition) throws(DefinitionError) {
        var seen = Set<String>()
        for task in definition.tasks where !seen.insert(task.id).inserted {
            throw DefinitionError("duplicate task id '\(task.id)'")
        }
        for task in definition.tasks {
            for upstream in task.after {
                if upstream == task.id { throw DefinitionError("task '\(task.id)' lists itself in 'after'") }
                if !seen.contains(upstream) {
                    throw DefinitionError("task '\(task.id)' is after '\(upstream)', which is not a task of this workflow")
                }
            }
        }
        if let cycle = WorkflowGraph(definition).cycle() {
            throw DefinitionError("cycle in 'after': \((cycle + [cycle[0]]).joined(separator: " -> "))")
        }
    }
}

/// Walks the raw JSON so each message can name the exact field at fault.
enum DefinitionReader {
    static let workflowFields: Set<String> = [
        "name", "description", "maxActiveRuns", "schedules", "events", "params", "timeout", "deadline", "waitFor", "tasks",
    ]
    static let taskFields: Set<String> = [
        "id", "run", "after", "pool", "env", "cwd", "triggerRule", "when", "switch", "workflow", "waitFor", "retry", "timeout",
        "priority", "selector", "concurrency", "runAs",
    ]

    static func workflow(_ value: JSONValue) throws(DefinitionError) -> WorkflowDefinition {
        let fields = try object(value, at: "workflow definition")
        try rejectUnknown(fields, allowed: workflowFields, at: "")
        let name = try identifier(fields["name"], at: "name")
        let description = try optionalString(fields["description"], at: "description")
        guard case .array(let items)? = fields["tasks"] else {
            throw DefinitionError(fields["tasks"] == nil ? "missing field 'tasks'" : "field 'tasks' must be an array")
        }
        guard !items.isEmpty else { throw DefinitionError("field 'tasks' must list at least one task") }
        guard items.count <= DefinitionLimits.maxTasks else {
            throw DefinitionError("too many tasks: \(items.count) (the limit is \(DefinitionLimits.maxTasks))")
        }
        var tasks: [TaskDefinition] = []
        tasks.reserveCapacity(items.count)
        for (index, item) in items.enumerated() { tasks.append(try task(item, at: "tasks[\(index)]")) }
        return WorkflowDefinition(name: name, description: description, maxActiveRuns: try maxActiveRuns(fields["maxActiveRuns"]),
                                  schedules: try schedules(fields["schedules"]), events: try events(fields["events"]),
                                  params: try params(fields["params"]),
                                  timeout: try duration(fields["timeout"], max: DefinitionLimits.maxTimeoutSeconds, at: "field 'timeout'"),
                                  deadline: try deadline(fields["deadline"]),
                                  waitFor: try dependencies(fields["waitFor"], at: "field 'waitFor'"), tasks: tasks)
    }

    static func task(_ value: JSONValue, at path: String) throws(DefinitionError) -> TaskDefinition {
        let fields = try object(value, at: path)
        try rejectUnknown(fields, allowed: taskFields, at: path)
        let id = try identifier(fields["id"], at: "\(path).id")
        let at = "task '\(id)'"
        let kinds = ["run", "switch", "workflow"].filter { fields[$0] != nil }
        guard kinds.count == 1 else {
            throw DefinitionError("\(at) must have exactly one of 'run', 'switch' or 'workflow'" + (kinds.isEmpty ? "" : " (has \(kinds.joined(separator: ", ")))"))
        }
        let run = try fields["run"] == nil ? nil : command(fields["run"], at: "\(at): field 'run'")
        let after = try stringArray(fields["after"], at: "\(at): field 'after'")
        let pool = try fields["pool"] == nil ? "default" : identifier(fields["pool"], at: "\(path).pool")
        let env = try stringMap(fields["env"], at: "\(at): field 'env'")
        for key in env.keys where !isEnvironmentName(key) {
            throw DefinitionError("\(at): field 'env' has an invalid variable name '\(key)'")
        }
        var task = TaskDefinition(id: id, run: run, after: after, pool: pool, env: env)
        try readFlowFields(fields, into: &task, at: at)
        try readPlacementFields(fields, into: &task, at: at)
        return task
    }

    static func command(_ value: JSONValue?, at path: String) throws(DefinitionError) -> Command {
        switch value {
        case nil: throw DefinitionError("\(path) is missing")
        case .string(let text)?:
            guard !text.trimmingCharacters(in: .whitespaces).isEmpty else { throw DefinitionError("\(path) is empty") }
            guard text.utf8.count <= DefinitionLimits.maxCommandBytes else { throw DefinitionError("\(path) is longer than \(DefinitionLimits.maxCommandBytes) bytes") }
            return .shell(text)
        case .array(let items)?:
            var arguments: [String] = []
            for item in items {
                guard case .string(let text) = item else { throw DefinitionError("\(path) must hold only strings") }
                arguments.append(text)
            }
            guard let first = arguments.first, !first.isEmpty else { throw DefinitionError("\(path) is empty") }
            guard arguments.reduce(0, { $0 + $1.utf8.count }) <= DefinitionLimits.maxCommandBytes else {
                throw DefinitionError("\(path) is longer than \(DefinitionLimits.maxCommandBytes) bytes")
            }
            return .argv(arguments)
        case let other?:
            throw DefinitionError("\(path) must be a string or an array of strings, not \(other.typeName)")
        }
    }

    static func object(_ value: JSONValue, at path: String) throws(DefinitionError) -> [String: JSONValue] {
        guard case .object(let fields) = value else { throw DefinitionError("\(path) must be an object, not \(value.typeName)") }
        return fields
    }

    static func rejectUnknown(_ fields: [String: JSONValue], allowed: Set<String>, at path: String) throws(DefinitionError) {
        if let unknown = fields.keys.sorted().first(where: { !allowed.contains($0) }) {
            let place = path.isEmpty ? "" : "\(path): "
            throw DefinitionError("\(place)unknown field '\(unknown)' (allowed: \(allowed.sorted().joined(separator: ", ")))")
        }
    }

    static func identifier(_ value: JSONValue?, at path: String) throws(DefinitionError) -> String {
        guard let value else { throw DefinitionError("missing field '\(path)'") }
        guard case .string(let text) = value else { throw DefinitionError("field '\(path)' must be a string, not \(value.typeName)") }
        guard isIdentifier(text) else {
            throw DefinitionError("field '\(path)' must be 1-\(DefinitionLimits.maxNameLength) letters, digits, '.', '_' or '-', starting with a letter or digit; got '\(text)'")
        }
        return text
    }

    static func optionalString(_ value: JSONValue?, at path: String) throws(DefinitionError) -> String? {
        switch value {
        case nil, .null?: return nil
        case .string(let text)?: return text
        case let other?: throw DefinitionError("field '\(path)' must be a string, not \(other.typeName)")
        }
    }

    static func stringArray(_ value: JSONValue?, at path: String) throws(DefinitionError) -> [String] {
        switch value {
        case nil: return []
        case .array(let items)?:
            var strings: [String] = []
            for item in items {
                guard case .string(let text) = item else { throw DefinitionError("\(path) must hold only task ids (strings)") }
                strings.append(text)
            }
            return strings
        case let other?: throw DefinitionError("\(path) must be an array of task ids, not \(other.typeName)")
        }
    }

    static func stringMap(_ value: JSONValue?, at path: String) throws(DefinitionError) -> [String: String] {
        switch value {
        case nil: return [:]
        case .object(let fields)?:
            var map: [String: String] = [:]
            for (key, item) in fields {
                guard case .string(let text) = item else { throw DefinitionError("\(path) value of '\(key)' must be a string") }
                map[key] = text
            }
            return map
        case let other?: throw DefinitionError("\(path) must be an object of strings, not \(other.typeName)")
        }
    }

    static func isIdentifier(_ text: String) -> Bool {
        guard let first = text.unicodeScalars.first, text.count <= DefinitionLimits.maxNameLength,
              first.isASCIIAlphanumeric else { return false }
        return text.unicodeScalars.allSatisfy { $0.isASCIIAlphanumeric || $0 == "." || $0 == "_" || $0 == "-" }
    }

    static func isEnvironmentName(_ text: String) -> Bool {
        guard let first = text.unicodeScalars.first, first == "_" || (first.isASCII && first.properties.isAlphabetic) else { return false }
        return text.unicodeScalars.allSatisfy { $0 == "_" || $0.isASCIIAlphanumeric } && !text.hasPrefix("WL_")
    }
}

extension Unicode.Scalar {
    var isASCIIAlphanumeric: Bool {
        ("a"..."z").contains(self) || ("A"..."Z").contains(self) || ("0"..."9").contains(self)
    }
}
