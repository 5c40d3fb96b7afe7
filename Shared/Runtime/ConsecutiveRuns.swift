extension Collection {
    /// The collection cut into maximal runs of consecutive elements with the same key, in order:
    /// `[a1, a2, b1, a3]` by letter gives `[[a1, a2], [b1], [a3]]`. Consumers use it to apply
    /// neighbouring messages of one kind in one statement while keeping the order across kinds.
    public func consecutiveRuns<Key: Equatable>(by key: (Element) throws -> Key) rethrows -> [SubSequence] {
        var runs: [SubSequence] = []
        var start = startIndex
        var current: Key?
        var index = startIndex
        while index != endIndex {
            let elementKey = try key(self[index])
            if let current, current != elementKey {
                runs.append(self[start..<index])
                start = index
            }
            current = elementKey
            formIndex(after: &index)
        }
        if start != endIndex { runs.append(self[start..<endIndex]) }
        return runs
    }
}
