/// A set of small field values (0...63) as one bit mask: matching a day or a time is then a shift
/// and an AND, which keeps the planner's per-day filter cheap.
struct ValueSet: Sendable, Equatable {
    private(set) var bits: UInt64 = 0

    mutating func insert(_ value: Int) {
        bits |= 1 << UInt64(value)
    }

    func contains(_ value: Int) -> Bool {
        (0...63).contains(value) && bits & (1 << UInt64(value)) != 0
    }

    var isEmpty: Bool { bits == 0 }

    mutating func formUnion(_ other: ValueSet) {
        bits |= other.bits
    }
}

/// One time-of-day field (second, minute or hour) with a table of "the next allowed value at or
/// after v", so the planner finds the next matching time in O(1) instead of scanning.
struct TimeField: Sendable, Equatable {
    let values: ValueSet
    private let nextTable: [Int]

    init(values: ValueSet, upperBound: Int) {
        self.values = values
        var table = [Int](repeating: -1, count: upperBound + 2)
        for value in stride(from: upperBound, through: 0, by: -1) {
            table[value] = values.contains(value) ? value : table[value + 1]
        }
        nextTable = table
    }

    /// The smallest allowed value >= `value`, or nil when the field has none left in this unit.
    func next(atOrAfter value: Int) -> Int? {
        guard value >= 0, value < nextTable.count, nextTable[value] >= 0 else { return nil }
        return nextTable[value]
    }

    var first: Int? { next(atOrAfter: 0) }
}
