/// Values grouped by key, the keys in the order they were first seen: for work that is done a
/// group at a time (one message per run, one signed batch per agent) but must keep the order in
/// which the groups began and, within a group, the order of its values.
public struct OrderedGroups<Key: Hashable, Value> {
    /// Every key once, in first-seen order.
    public private(set) var keys: [Key] = []
    private var values: [Key: [Value]] = [:]

    public init() {}

    public mutating func append(_ value: Value, to key: Key) {
        if values[key] == nil { keys.append(key) }
        values[key, default: []].append(value)
    }

    /// The values of `key`, in the order they were appended (empty for an unknown key).
    public subscript(key: Key) -> [Value] { values[key] ?? [] }
}
