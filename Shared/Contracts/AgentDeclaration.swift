/// What an agent declares about itself in its heartbeats: the pools it serves and its labels.
/// Parsed here rather than in the agent so the rules are unit-tested and match what task
/// definitions accept (`DefinitionNames` for pools, `LabelSelector` names for labels): a label
/// an agent declares can always be selected.
public enum AgentDeclaration {
    public struct Invalid: Error, Equatable, CustomStringConvertible {
        public let description: String
    }

    /// A comma list of pool names (`etl, gpu`); blanks around names are ignored, duplicates
    /// dropped, order kept (the first is the agent's primary pool, `AgentHeartbeat.pool`).
    public static func pools(_ text: String) throws(Invalid) -> [String] {
        var pools: [String] = []
        for raw in text.split(separator: ",", omittingEmptySubsequences: false) {
            let name = String(raw).trimmingSpaces
            guard DefinitionNames.isIdentifier(name) else {
                throw Invalid(description: "'\(name)' is not a pool name (letters, digits, '.', '_', '-', starting with a letter or digit)")
            }
            if !pools.contains(name) { pools.append(name) }
        }
        return pools
    }

    /// `key=value` pairs separated by commas (`zone=a, region=eu-west`). An empty text is no labels.
    public static func labels(_ text: String) throws(Invalid) -> [String: String] {
        var labels: [String: String] = [:]
        guard !text.trimmingSpaces.isEmpty else { return labels }
        for raw in text.split(separator: ",", omittingEmptySubsequences: false) {
            let pair = String(raw).trimmingSpaces
            guard let equals = pair.firstIndex(of: "=") else {
                throw Invalid(description: "'\(pair)' is not key=value")
            }
            let key = String(pair[..<equals]).trimmingSpaces
            let value = String(pair[pair.index(after: equals)...]).trimmingSpaces
            guard LabelSelector.isName(key), LabelSelector.isName(value) else {
                throw Invalid(description: "'\(pair)': label keys and values are 1-63 of A-Z a-z 0-9 . _ / : -")
            }
            guard labels[key] == nil else { throw Invalid(description: "label '\(key)' is given twice") }
            labels[key] = value
        }
        return labels
    }

    /// `labels` with `defaults` added for the keys they do not set: an operator's own `os` or
    /// `arch` wins over what the agent detects.
    public static func labels(_ labels: [String: String], addingDefaults defaults: [String: String]) -> [String: String] {
        labels.merging(defaults) { given, _ in given }
    }
}
