/// What a failed task holds up: the tasks downstream of it in its own workflow, and — because
/// that workflow's run can then not succeed — every workflow that waits for it (`waitFor`),
/// from the waiting tasks down, transitively. Pure, over the tenant's current definitions.
public struct ImpactReport: Codable, Sendable, Equatable {
    public struct Entry: Codable, Sendable, Equatable {
        public let workflow: String
        /// Why it is affected: the task that failed, or the workflow it waits for.
        public let cause: String
        public let tasks: [String]
    }

    public let entries: [Entry]

    public static func analyse(workflow: String, task: String, definitions: [String: WorkflowDefinition]) -> ImpactReport {
        var entries: [Entry] = []
        guard let definition = definitions[workflow] else { return ImpactReport(entries: []) }
        entries.append(Entry(workflow: workflow, cause: "task \(task)", tasks: WorkflowGraph(definition).descendants(of: task)))
        var visited: Set<String> = [workflow]
        var queue = [workflow]
        while !queue.isEmpty {
            let upstream = queue.removeFirst()
            for name in definitions.keys.sorted() where !visited.contains(name) {
                guard let dependent = definitions[name] else { continue }
                let waiting = waitingTasks(in: dependent, on: upstream)
                guard !waiting.isEmpty else { continue }
                let graph = WorkflowGraph(dependent)
                var affected = Set(waiting)
                for id in waiting { affected.formUnion(graph.descendants(of: id)) }
                let ordered = dependent.tasks.map(\.id).filter { affected.contains($0) }
                entries.append(Entry(workflow: name, cause: "waits for \(upstream)", tasks: ordered))
                visited.insert(name)
                queue.append(name)
            }
        }
        return ImpactReport(entries: entries)
    }

    /// Tasks of `definition` that wait for `upstream`: their own waits, or the workflow's (roots).
    static func waitingTasks(in definition: WorkflowDefinition, on upstream: String) -> [String] {
        let graph = WorkflowGraph(definition)
        let workflowWaits = definition.waitFor.contains { $0.workflow == upstream }
        return definition.tasks.enumerated().filter { position, task in
            task.waitFor.contains { $0.workflow == upstream } || (workflowWaits && graph.parents[position].isEmpty)
        }.map(\.element.id)
    }
}
