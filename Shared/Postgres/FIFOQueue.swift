/// A first-in-first-out queue with O(1) amortised push and pop, for pool waiters (there can be
/// thousands under load, where `Array.removeFirst` would make every hand-over O(n)).
struct FIFOQueue<Element> {
    private var storage: [Element?] = []
    private var head = 0

    var isEmpty: Bool { head == storage.count }
    var count: Int { storage.count - head }

    mutating func push(_ element: Element) { storage.append(element) }

    mutating func pop() -> Element? {
        guard head < storage.count else { return nil }
        let element = storage[head]
        storage[head] = nil
        head += 1
        if head == storage.count {
            storage.removeAll(keepingCapacity: true)
            head = 0
        } else if head > 64 && head * 2 > storage.count {
            storage.removeFirst(head)
            head = 0
        }
        return element
    }

    /// Removes the first element matching `predicate` (a cancelled waiter); O(n), rare.
    mutating func remove(where predicate: (Element) -> Bool) -> Element? {
        for index in head..<storage.count {
            guard let element = storage[index], predicate(element) else { continue }
            storage.remove(at: index)
            return element
        }
        return nil
    }

    /// Empties the queue, returning its elements in order.
    mutating func drain() -> [Element] {
        let elements = storage[head...].compactMap { $0 }
        storage.removeAll()
        head = 0
        return elements
    }
}
