/// Where and when the dispatcher may run a task: its priority in the tenant's queue, the labels
/// its agent must have, a semaphore it shares with other tasks, and the user it runs as.
extension DefinitionReader {
    static let concurrencyFields: Set<String> = ["key", "limit"]
    static let placementFields: Set<String> = ["priority", "selector", "concurrency", "runAs"]

    static func readPlacementFields(_ fields: [String: JSONValue], into task: inout TaskDefinition, at: String) throws(DefinitionError) {
        if let value = fields["priority"], value != .null {
            task.priority = try integer(value, in: 0...9, at: "\(at): field 'priority'")
        }
        if let text = try optionalString(fields["selector"], at: "\(at): field 'selector'") {
            do { _ = try LabelSelector(parsing: text) } catch { throw DefinitionError("\(at): field 'selector': \(error.description)") }
            task.selector = text
        }
        if let value = fields["concurrency"], value != .null {
            task.concurrency = try concurrency(value, at: "\(at): field 'concurrency'")
        }
        if let user = try optionalString(fields["runAs"], at: "\(at): field 'runAs'") {
            guard isUserName(user) else { throw DefinitionError("\(at): field 'runAs' is not a user name: '\(user)'") }
            task.runAs = user
        }
        let placed = placementFields.filter { fields[$0] != nil && fields[$0] != .null }
        if task.run == nil, let field = placed.sorted().first {
            throw DefinitionError("\(at): field '\(field)' applies to tasks that run a command")
        }
    }

    static func concurrency(_ value: JSONValue, at path: String) throws(DefinitionError) -> ConcurrencyLimit {
        let fields = try object(value, at: path)
        try rejectUnknown(fields, allowed: concurrencyFields, at: path)
        guard case .string(let key)? = fields["key"], isConcurrencyKey(key) else {
            throw DefinitionError("\(path).key must be 1-100 of A-Z a-z 0-9 . _ : / - (e.g. \"db:ledger\")")
        }
        guard let limit = fields["limit"] else { throw DefinitionError("\(path).limit is missing") }
        return ConcurrencyLimit(key: key, limit: try integer(limit, in: 1...100_000, at: "\(path).limit"))
    }

    static func isConcurrencyKey(_ text: String) -> Bool {
        !text.isEmpty && text.utf8.count <= 100 && text.unicodeScalars.allSatisfy {
            ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || [".", "_", ":", "/", "-"].contains($0)
        }
    }

    /// POSIX portable user names: letters, digits, `.`, `_`, `-`, not starting with `-`.
    static func isUserName(_ text: String) -> Bool {
        !text.isEmpty && text.utf8.count <= 32 && !text.hasPrefix("-") && text.unicodeScalars.allSatisfy {
            ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || [".", "_", "-"].contains($0)
        }
    }
}
