/// The task DAG of a definition as adjacency lists, built once per workflow version so each
/// state change touches only the edges of the task that changed (O(edges touched), not O(tasks)).
public struct WorkflowGraph: Sendable {
    public let ids: [String]
    public let index: [String: Int]
    /// children[i]: the tasks that list task i in `after`.
    public let children: [[Int]]
    /// parents[i]: the tasks task i lists in `after` (duplicates removed).
    public let parents: [[Int]]

    /// Unknown `after` names are ignored here; `WorkflowDefinition.validateGraph` reports them.
    public init(_ definition: WorkflowDefinition) {
        ids = definition.tasks.map(\.id)
        var index: [String: Int] = [:]
        for (position, id) in ids.enumerated() where index[id] == nil { index[id] = position }
        self.index = index
        var children = Array(repeating: [Int](), count: ids.count)
        var parents = Array(repeating: [Int](), count: ids.count)
        for (position, task) in definition.tasks.enumerated() {
            var seen = Set<Int>()
            for name in task.after {
                guard let parent = index[name], seen.insert(parent).inserted else { continue }
                parents[position].append(parent)
                children[parent].append(position)
            }
        }
        self.children = children
        self.parents = parents
    }

    /// Tasks with no upstream: ready as soon as the run starts.
    public var roots: [String] { ids.indices.filter { parents[$0].isEmpty }.map { ids[$0] } }

    public func children(of id: String) -> [String] {
        guard let position = index[id] else { return [] }
        return children[position].map { ids[$0] }
    }

    public func parentCount(of id: String) -> Int {
        index[id].map { parents[$0].count } ?? 0
    }

    /// Every task downstream of `id`, each once, in breadth-first order.
    public func descendants(of id: String) -> [String] {
        guard let start = index[id] else { return [] }
        var visited = Set<Int>([start])
        var queue = children[start]
        var result: [String] = []
        var head = 0
        while head < queue.count {
            let current = queue[head]
            head += 1
            guard visited.insert(current).inserted else { continue }
            result.append(ids[current])
            queue.append(contentsOf: children[current])
        }
        return result
    }

    /// One cycle as a list of task ids in `after` order, or nil for a DAG. Iterative, so a
    /// 10,000-task chain does not overflow the stack.
    public func cycle() -> [String]? {
        enum Mark { case unvisited, active, done }
        var marks = Array(repeating: Mark.unvisited, count: ids.count)
        for start in ids.indices where marks[start] == .unvisited {
            var stack: [(node: Int, next: Int)] = [(start, 0)]
            marks[start] = .active
            while let top = stack.last {
                if top.next < children[top.node].count {
                    stack[stack.count - 1].next += 1
                    let child = children[top.node][top.next]
                    switch marks[child] {
                    case .unvisited:
                        marks[child] = .active
                        stack.append((child, 0))
                    case .active:
                        let path = stack.map(\.node)
                        let from = path.lastIndex(of: child) ?? 0
                        return path[from...].map { ids[$0] }
                    case .done:
                        continue
                    }
                } else {
                    marks[top.node] = .done
                    stack.removeLast()
                }
            }
        }
        return nil
    }
}
