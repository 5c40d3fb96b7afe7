import Contracts

/// A pinned workflow version, parsed once: the definition, its graph, and every condition and
/// template compiled, so advancing a run never re-parses text.
struct RunPlan: Sendable {
    /// A switch's cases, as task positions.
    struct Switch: Sendable {
        let cases: [(condition: Expression, targets: Set<Int>)]
        let fallback: Set<Int>
    }

    /// The templated parts of a task.
    struct Templates: Sendable {
        let command: [Template]
        let isShell: Bool
        let env: [String: Template]
        let cwd: Template?
        let subParameters: [String: Template]
    }

    let definition: WorkflowDefinition
    let graph: WorkflowGraph
    let rules: [TriggerRule]
    let conditions: [Int: Expression]
    let switches: [Int: Switch]
    let templates: [Int: Templates]
    /// The cross-workflow waits of each task (the workflow's own waits apply to its roots).
    let waits: [Int: [WorkflowDependency]]
    /// The upstream tasks whose outputs each task reads.
    let outputSources: [Int: Set<String>]

    init(_ definition: WorkflowDefinition) throws(ExpressionError) {
        self.definition = definition
        let graph = WorkflowGraph(definition)
        self.graph = graph
        rules = definition.tasks.map(\.triggerRule)
        var conditions: [Int: Expression] = [:]
        var switches: [Int: Switch] = [:]
        var templates: [Int: Templates] = [:]
        var waits: [Int: [WorkflowDependency]] = [:]
        var sources: [Int: Set<String>] = [:]
        for (position, task) in definition.tasks.enumerated() {
            var references = Set<Reference>()
            if let text = task.when {
                let condition = try Expression.parse(text)
                conditions[position] = condition
                references.formUnion(condition.references)
            }
            if let spec = task.switchCases {
                let compiled = try Self.compile(spec, graph: graph)
                switches[position] = compiled
                for entry in compiled.cases { references.formUnion(entry.condition.references) }
            }
            let compiled = try Self.templates(task)
            templates[position] = compiled
            for template in compiled.command + Array(compiled.env.values) + Array(compiled.subParameters.values) {
                references.formUnion(template.references)
            }
            if let cwd = compiled.cwd { references.formUnion(cwd.references) }
            let dependencies = task.waitFor + (graph.parents[position].isEmpty ? definition.waitFor : [])
            if !dependencies.isEmpty { waits[position] = dependencies }
            let tasksRead = Set(references.compactMap { reference -> String? in
                if case .output(let task, _) = reference { return task }
                return nil
            })
            if !tasksRead.isEmpty { sources[position] = tasksRead }
        }
        self.conditions = conditions
        self.switches = switches
        self.templates = templates
        self.waits = waits
        outputSources = sources
    }

    private static func compile(_ spec: SwitchDefinition, graph: WorkflowGraph) throws(ExpressionError) -> Switch {
        var cases: [(condition: Expression, targets: Set<Int>)] = []
        for entry in spec.cases {
            cases.append((try Expression.parse(entry.when), Set(entry.goto.compactMap { graph.index[$0] })))
        }
        return Switch(cases: cases, fallback: Set(spec.default.compactMap { graph.index[$0] }))
    }

    private static func templates(_ task: TaskDefinition) throws(ExpressionError) -> Templates {
        var command: [Template] = []
        var isShell = false
        switch task.run {
        case .shell(let text)?:
            isShell = true
            command = [try Template.parse(text)]
        case .argv(let arguments)?:
            for argument in arguments { command.append(try Template.parse(argument)) }
        case nil:
            break
        }
        var env: [String: Template] = [:]
        for (name, value) in task.env { env[name] = try Template.parse(value) }
        var subParameters: [String: Template] = [:]
        for (name, value) in task.workflow?.parameters ?? [:] { subParameters[name] = try Template.parse(value) }
        return Templates(command: command, isShell: isShell, env: env, cwd: try task.cwd.map { text throws(ExpressionError) in try Template.parse(text) },
                         subParameters: subParameters)
    }
}
