/// Ascending, duplicate-free instants waiting to be emitted by `FireSequence`. New instants almost
/// always go at the end and leave from the front, so storage is an array with a moving head:
/// a per-second schedule can queue an hour of fall-back repeats without quadratic shuffling.
struct InstantQueue {
    private var storage: [Int] = []
    private var head = 0

    var first: Int? { head < storage.count ? storage[head] : nil }
    var isEmpty: Bool { head == storage.count }

    mutating func insert(_ instant: Int) {
        var low = head, high = storage.count
        while low < high {
            let middle = (low + high) / 2
            if storage[middle] < instant { low = middle + 1 } else { high = middle }
        }
        if low == storage.count || storage[low] != instant {
            storage.insert(instant, at: low)
        }
    }

    mutating func popFirst() -> Int? {
        guard let instant = first else { return nil }
        head += 1
        if head > 1024, head * 2 > storage.count {
            storage.removeFirst(head)
            head = 0
        }
        return instant
    }

    mutating func removeAll() {
        storage = []
        head = 0
    }
}
