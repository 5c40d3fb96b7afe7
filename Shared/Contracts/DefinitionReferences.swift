/// Apply-time checks of everything that names something: conditions and templates may name only
/// declared parameters, built-ins, and outputs of tasks upstream of them; a switch's branches
/// are exactly its children; a workflow does not wait for or run itself. So a run never meets a
/// name that cannot exist.
extension WorkflowDefinition {
    public static func validateReferences(_ definition: WorkflowDefinition) throws(DefinitionError) {
        let graph = WorkflowGraph(definition)
        for (position, task) in definition.tasks.enumerated() {
            let at = "task '\(task.id)'"
            var references: [(Reference, String)] = []
            func expression(_ text: String, _ field: String) throws(DefinitionError) {
                do { references += try Expression.parse(text).references.map { ($0, field) } } catch {
                    throw DefinitionError("\(at): field '\(field)': \(error.message)")
                }
            }
            func template(_ text: String, _ field: String) throws(DefinitionError) {
                do { references += try Template.parse(text).references.map { ($0, field) } } catch {
                    throw DefinitionError("\(at): field '\(field)': \(error.message)")
                }
            }
            if let when = task.when { try expression(when, "when") }
            switch task.run {
            case .shell(let text)?: try template(text, "run")
            case .argv(let arguments)?: for argument in arguments { try template(argument, "run") }
            case nil: break
            }
            for (name, value) in task.env { try template(value, "env.\(name)") }
            if let cwd = task.cwd { try template(cwd, "cwd") }
            if let sub = task.workflow {
                if sub.name == definition.name { throw DefinitionError("\(at): a workflow cannot run itself as a sub-workflow") }
                for (name, value) in sub.parameters { try template(value, "workflow.parameters.\(name)") }
            }
            if let choice = task.switchCases {
                for (index, entry) in choice.cases.enumerated() { try expression(entry.when, "switch.cases[\(index)].when") }
                try validateBranches(choice, of: position, graph: graph, at: at)
            }
            if task.waitFor.contains(where: { $0.workflow == definition.name }) {
                throw DefinitionError("\(at): a workflow cannot wait for itself")
            }
            try validate(references, of: position, definition: definition, graph: graph, at: at)
        }
        if definition.waitFor.contains(where: { $0.workflow == definition.name }) {
            throw DefinitionError("field 'waitFor': a workflow cannot wait for itself")
        }
        try validateScheduleParameters(definition)
    }

    private static func validate(_ references: [(Reference, String)], of position: Int, definition: WorkflowDefinition,
                                 graph: WorkflowGraph, at: String) throws(DefinitionError) {
        var ancestors: Set<Int>?
        for (reference, field) in references {
            switch reference {
            case .builtin: continue
            case .parameter(let name):
                guard definition.params[name] != nil else {
                    throw DefinitionError("\(at): field '\(field)' uses params.\(name), which is not declared in 'params'")
                }
            case .output(let task, _):
                guard let source = graph.index[task] else {
                    throw DefinitionError("\(at): field '\(field)' reads outputs of '\(task)', which is not a task of this workflow")
                }
                let upstream = ancestors ?? graph.ancestors(of: position)
                ancestors = upstream
                guard upstream.contains(source) else {
                    throw DefinitionError("\(at): field '\(field)' reads outputs of '\(task)', which is not upstream of it (add it to 'after')")
                }
            }
        }
    }

    private static func validateBranches(_ choice: SwitchDefinition, of position: Int, graph: WorkflowGraph, at: String) throws(DefinitionError) {
        let children = Set(graph.children[position].map { graph.ids[$0] })
        let targets = Set(choice.cases.flatMap(\.goto) + choice.default)
        if let stray = targets.subtracting(children).sorted().first {
            throw DefinitionError("\(at): switch branch '\(stray)' must list '\(graph.ids[position])' in its 'after'")
        }
        if let unnamed = children.subtracting(targets).sorted().first {
            throw DefinitionError("\(at): task '\(unnamed)' comes after the switch but is not one of its branches")
        }
    }

    /// A schedule fires with no one to supply parameters, so its own parameters and the
    /// defaults must cover every required one.
    private static func validateScheduleParameters(_ definition: WorkflowDefinition) throws(DefinitionError) {
        let required = definition.params.filter { $0.value.isRequired }.keys
        for schedule in definition.schedules {
            if let missing = required.sorted().first(where: { schedule.parameters[$0] == nil }) {
                throw DefinitionError("schedule '\(schedule.id)' does not supply required parameter '\(missing)'")
            }
        }
    }
}

extension WorkflowGraph {
    /// Every task upstream of position `task` (transitively).
    public func ancestors(of task: Int) -> Set<Int> {
        var seen = Set<Int>()
        var stack = parents[task]
        while let next = stack.popLast() {
            guard seen.insert(next).inserted else { continue }
            stack.append(contentsOf: parents[next])
        }
        return seen
    }
}
