import Foundation

/// The workflow shapes the scenarios run, as definition JSON. Task ids are short and commands
/// are argv arrays: the definitions stay well under the API's 1 MiB body limit at 10,000 tasks.
enum Workflows {
    /// `root` → `width` parallel tasks → `join`: the shape of a wide fan-out. Ids are `root`,
    /// `m1`…`m<width>`, `join`.
    static func wide(name: String, tasks: Int, pool: String, command: String) -> [UInt8] {
        let width = max(1, tasks - 2)
        var parts = [task("root", pool: pool, command: command, after: [])]
        for index in 1...width { parts.append(task("m\(index)", pool: pool, command: command, after: ["root"])) }
        parts.append(task("join", pool: pool, command: command, after: (1...width).map { "m\($0)" }))
        return definition(name: name, description: "benchmark: root, \(width) parallel tasks, join", parts)
    }

    /// `tasks` tasks with no dependencies: all ready at once (a flood).
    static func independent(name: String, tasks: Int, pool: String, command: String) -> [UInt8] {
        definition(name: name, description: "benchmark: \(tasks) independent tasks",
                   (1...tasks).map { task("i\($0)", pool: pool, command: command, after: []) })
    }

    /// `s1` → `s2` → … → `s<length>`: every task waits for the one before, so each edge is one
    /// finished→downstream-dispatched sample.
    static func chain(name: String, length: Int, pool: String, command: String) -> [UInt8] {
        definition(name: name, description: "benchmark: a chain of \(length) tasks",
                   (1...length).map { task("s\($0)", pool: pool, command: command, after: $0 == 1 ? [] : ["s\($0 - 1)"]) })
    }

    private static func task(_ id: String, pool: String, command: String, after: [String]) -> String {
        let upstream = after.isEmpty ? "" : ",\"after\":[" + after.map { "\"\($0)\"" }.joined(separator: ",") + "]"
        return "{\"id\":\"\(id)\",\"pool\":\"\(pool)\",\"run\":[\"\(command)\"]\(upstream)}"
    }

    private static func definition(name: String, description: String, _ tasks: [String]) -> [UInt8] {
        Array("{\"name\":\"\(name)\",\"description\":\"\(description)\",\"tasks\":[\(tasks.joined(separator: ","))]}".utf8)
    }
}
