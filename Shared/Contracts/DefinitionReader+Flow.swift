import Foundation
import Scheduling

/// The workflow-engine parts of a definition: parameters, trigger rules, conditions, switches,
/// sub-workflows, cross-workflow waits, retries, timeouts and deadlines. References inside
/// templates and conditions are checked afterwards, against the whole graph
/// (`WorkflowDefinition.validateReferences`).
extension DefinitionReader {
    static let switchFields: Set<String> = ["cases", "default"]
    static let caseFields: Set<String> = ["when", "goto"]
    static let subWorkflowFields: Set<String> = ["name", "parameters"]
    static let dependencyFields: Set<String> = ["workflow", "within", "timezone", "timeout"]
    static let retryFields: Set<String> = ["limit", "delay", "backoff", "maxDelay", "jitter", "nonRetryableExitCodes"]
    static let deadlineFields: Set<String> = ["at", "timezone", "after", "from", "warnBefore"]
    static let parameterFields: Set<String> = ["default", "description"]

    static func readFlowFields(_ fields: [String: JSONValue], into task: inout TaskDefinition, at: String) throws(DefinitionError) {
        task.cwd = try optionalString(fields["cwd"], at: "\(at): field 'cwd'")
        if task.cwd?.isEmpty == true { throw DefinitionError("\(at): field 'cwd' is empty") }
        task.triggerRule = try policy(fields["triggerRule"], default: .allSuccess, at: "\(at): field 'triggerRule'")
        task.when = try optionalString(fields["when"], at: "\(at): field 'when'")
        if let value = fields["switch"] { task.switchCases = try switchDefinition(value, at: "\(at): field 'switch'") }
        if let value = fields["workflow"] { task.workflow = try subWorkflow(value, at: "\(at): field 'workflow'") }
        task.waitFor = try dependencies(fields["waitFor"], at: "\(at): field 'waitFor'")
        if let value = fields["retry"], value != .null { task.retry = try retry(value, at: "\(at): field 'retry'") }
        task.timeout = try duration(fields["timeout"], max: DefinitionLimits.maxTimeoutSeconds, at: "\(at): field 'timeout'")
        if task.timeout != nil, task.run == nil {
            throw DefinitionError("\(at): field 'timeout' applies to tasks that run a command")
        }
        if task.retry != nil, task.switchCases != nil { throw DefinitionError("\(at): a switch cannot be retried") }
    }

    static func params(_ value: JSONValue?) throws(DefinitionError) -> [String: ParameterDefinition] {
        guard let value, value != .null else { return [:] }
        let fields = try object(value, at: "field 'params'")
        guard fields.count <= DefinitionLimits.maxParams else {
            throw DefinitionError("field 'params' declares \(fields.count) parameters (the limit is \(DefinitionLimits.maxParams))")
        }
        var result: [String: ParameterDefinition] = [:]
        for (name, entry) in fields {
            let at = "parameter '\(name)'"
            guard ParameterNames.isValid(name) else { throw DefinitionError("\(at): names use letters, digits and '_'") }
            switch entry {
            case .string(let text): result[name] = ParameterDefinition(default: text)
            case .object(let spec):
                try rejectUnknown(spec, allowed: parameterFields, at: at)
                let fallback: String?
                switch spec["default"] {
                case nil, .null?: fallback = nil
                case let scalar?:
                    guard let text = scalar.scalarText else { throw DefinitionError("\(at): 'default' must be a string, number or boolean") }
                    fallback = text
                }
                result[name] = ParameterDefinition(default: fallback, description: try optionalString(spec["description"], at: "\(at).description"))
            default:
                throw DefinitionError("\(at) must be a default value (string) or an object with 'default' and 'description'")
            }
            if let text = result[name]?.default, text.utf8.count > DefinitionLimits.maxParameterBytes {
                throw DefinitionError("\(at): the default is longer than \(DefinitionLimits.maxParameterBytes) bytes")
            }
        }
        return result
    }

    static func switchDefinition(_ value: JSONValue, at: String) throws(DefinitionError) -> SwitchDefinition {
        let fields = try object(value, at: at)
        try rejectUnknown(fields, allowed: switchFields, at: at)
        guard case .array(let items)? = fields["cases"], !items.isEmpty else {
            throw DefinitionError("\(at): 'cases' must list at least one {\"when\": …, \"goto\": …}")
        }
        var cases: [SwitchDefinition.Case] = []
        for (index, item) in items.enumerated() {
            let path = "\(at).cases[\(index)]"
            let entry = try object(item, at: path)
            try rejectUnknown(entry, allowed: caseFields, at: path)
            guard case .string(let condition)? = entry["when"] else { throw DefinitionError("\(path): 'when' must be a condition string") }
            cases.append(SwitchDefinition.Case(when: condition, goto: try taskList(entry["goto"], at: "\(path).goto")))
        }
        let fallback = fields["default"] == nil ? [] : try taskList(fields["default"], at: "\(at).default")
        return SwitchDefinition(cases: cases, default: fallback)
    }

    /// One task id or a list of them.
    private static func taskList(_ value: JSONValue?, at path: String) throws(DefinitionError) -> [String] {
        if case .string(let id)? = value { return [id] }
        let ids = try stringArray(value, at: path)
        guard !ids.isEmpty else { throw DefinitionError("\(path) must name at least one task") }
        return ids
    }

    static func subWorkflow(_ value: JSONValue, at: String) throws(DefinitionError) -> SubWorkflowDefinition {
        let fields = try object(value, at: at)
        try rejectUnknown(fields, allowed: subWorkflowFields, at: at)
        return SubWorkflowDefinition(name: try identifier(fields["name"], at: "\(at).name"),
                                     parameters: try parameters(fields["parameters"], at: "\(at).parameters"))
    }

    static func dependencies(_ value: JSONValue?, at: String) throws(DefinitionError) -> [WorkflowDependency] {
        guard let value, value != .null else { return [] }
        guard case .array(let items) = value, items.count <= DefinitionLimits.maxWaitFor else {
            throw DefinitionError("\(at) must be an array of at most \(DefinitionLimits.maxWaitFor) waits")
        }
        var result: [WorkflowDependency] = []
        for (index, item) in items.enumerated() {
            let path = "\(at)[\(index)]"
            let fields = try object(item, at: path)
            try rejectUnknown(fields, allowed: dependencyFields, at: path)
            let timezone = try optionalString(fields["timezone"], at: "\(path).timezone")
            if let timezone, TimeZones.named(timezone) == nil { throw DefinitionError("\(path): unknown time zone '\(timezone)'") }
            let within = try duration(fields["within"], max: 31 * 86_400, at: "\(path).within")
            if within != nil, timezone != nil { throw DefinitionError("\(path): 'timezone' applies to same-date waits, not with 'within'") }
            result.append(WorkflowDependency(workflow: try identifier(fields["workflow"], at: "\(path).workflow"), within: within,
                                             timezone: timezone,
                                             timeout: try duration(fields["timeout"], max: DefinitionLimits.maxTimeoutSeconds, at: "\(path).timeout")))
        }
        return result
    }

    static func retry(_ value: JSONValue, at: String) throws(DefinitionError) -> RetryPolicy {
        let fields = try object(value, at: at)
        try rejectUnknown(fields, allowed: retryFields, at: at)
        guard let limitValue = fields["limit"] else { throw DefinitionError("\(at): 'limit' (retries after the first try) is required") }
        var policy = RetryPolicy(limit: try integer(limitValue, in: 0...RetryPolicy.maxLimit, at: "\(at).limit"))
        policy.backoff = try self.policy(fields["backoff"], default: .fixed, at: "\(at).backoff")
        if let text = try duration(fields["delay"], max: 86_400, at: "\(at).delay") { policy.delaySeconds = DurationText.seconds(text) ?? 0 }
        if let text = try duration(fields["maxDelay"], max: 86_400, at: "\(at).maxDelay") {
            policy.maxDelaySeconds = DurationText.seconds(text) ?? 0
        }
        guard policy.maxDelaySeconds >= policy.delaySeconds else { throw DefinitionError("\(at): 'maxDelay' is shorter than 'delay'") }
        switch fields["jitter"] {
        case nil, .null?: policy.jitter = policy.backoff == .exponential ? 0.2 : 0
        case .number(let share)? where (0...1).contains(share): policy.jitter = share
        default: throw DefinitionError("\(at).jitter must be a number from 0 to 1 (the share of each delay taken off at random)")
        }
        if let codes = fields["nonRetryableExitCodes"] {
            guard case .array(let items) = codes else { throw DefinitionError("\(at).nonRetryableExitCodes must be an array of exit codes") }
            var list: [Int] = []
            for item in items { list.append(try integer(item, in: 0...255, at: "\(at).nonRetryableExitCodes")) }
            policy.nonRetryableExitCodes = list
        }
        return policy
    }

    static func deadline(_ value: JSONValue?) throws(DefinitionError) -> DeadlineDefinition? {
        guard let value, value != .null else { return nil }
        let at = "field 'deadline'"
        let fields = try object(value, at: at)
        try rejectUnknown(fields, allowed: deadlineFields, at: at)
        var deadline = DeadlineDefinition()
        deadline.at = try optionalString(fields["at"], at: "\(at).at")
        deadline.timezone = try optionalString(fields["timezone"], at: "\(at).timezone")
        deadline.after = try duration(fields["after"], max: DefinitionLimits.maxTimeoutSeconds, at: "\(at).after")
        deadline.warnBefore = try duration(fields["warnBefore"], max: 86_400, at: "\(at).warnBefore")
        if fields["from"] != nil { deadline.from = try policy(fields["from"], default: .logicalTime, at: "\(at).from") }
        guard (deadline.at == nil) != (deadline.after == nil) else {
            throw DefinitionError("\(at) needs exactly one of 'at' (\"06:00\" with a 'timezone') or 'after' (a duration)")
        }
        if let time = deadline.at {
            guard DeadlineClock.wallTime(time) != nil else { throw DefinitionError("\(at).at must be a time of day HH:MM, got '\(time)'") }
            if let zone = deadline.timezone, TimeZones.named(zone) == nil { throw DefinitionError("\(at): unknown time zone '\(zone)'") }
            if deadline.from != nil { throw DefinitionError("\(at): 'from' applies to 'after', not to 'at'") }
        } else if deadline.timezone != nil {
            throw DefinitionError("\(at): 'timezone' applies to 'at', not to 'after'")
        }
        return deadline
    }
}
