import Runtime
import Testing

@Suite struct OrderedGroupsTests {
    @Test func keysKeepTheirFirstSeenOrderAndValuesTheirAppendOrder() {
        var groups = OrderedGroups<String, Int>()
        for (key, value) in [("b", 1), ("a", 2), ("b", 3), ("c", 4), ("a", 5)] { groups.append(value, to: key) }
        #expect(groups.keys == ["b", "a", "c"])
        #expect(groups["b"] == [1, 3] && groups["a"] == [2, 5] && groups["c"] == [4])
        #expect(groups["unknown"].isEmpty)
    }

    @Test func emptyHasNoKeys() {
        #expect(OrderedGroups<Int, Int>().keys.isEmpty)
    }
}
