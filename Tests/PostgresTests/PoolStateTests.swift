@testable import Postgres
import Testing

@Suite("Pool state machine")
struct PoolStateTests {
    typealias State = PoolState<String, String>

    @Test func opensUpToCapacityThenQueuesFIFO() {
        var state = State(capacity: 2)
        guard case .lease(.open) = state.borrowWithoutWaiting(), case .lease(.open) = state.borrowWithoutWaiting() else {
            Issue.record("expected two opens"); return
        }
        guard case .wait = state.borrow(id: 1, waiter: "w1"), case .wait = state.borrow(id: 2, waiter: "w2") else {
            Issue.record("expected waits"); return
        }
        guard case .handOver("c1", to: "w1") = state.release("c1") else { Issue.record("w1 first"); return }
        guard case .handOver("c2", to: "w2") = state.release("c2") else { Issue.record("then w2"); return }
        guard case .keptIdle = state.release("c1") else { Issue.record("idle"); return }
        guard case .lease(.connection("c1")) = state.borrowWithoutWaiting() else { Issue.record("reuse"); return }
        #expect(state.slots == 2)
    }

    @Test func newcomerDoesNotJumpTheQueue() {
        var state = State(capacity: 1)
        _ = state.borrowWithoutWaiting()
        _ = state.borrow(id: 1, waiter: "w1")
        guard case .wait = state.borrowWithoutWaiting() else { Issue.record("must wait behind w1"); return }
    }

    @Test func failedOpenPassesItsSlotToTheNextWaiter() {
        var state = State(capacity: 1)
        _ = state.borrowWithoutWaiting()
        _ = state.borrow(id: 1, waiter: "w1")
        #expect(state.openFailed() == "w1")
        #expect(state.slots == 1)
        #expect(state.openFailed() == nil)
        #expect(state.slots == 0)
    }

    @Test func cancelRemovesOnlyTheCancelledWaiter() {
        var state = State(capacity: 1)
        _ = state.borrowWithoutWaiting()
        _ = state.borrow(id: 1, waiter: "w1")
        _ = state.borrow(id: 2, waiter: "w2")
        #expect(state.cancel(id: 1) == "w1")
        #expect(state.cancel(id: 1) == nil)
        guard case .handOver("c", to: "w2") = state.release("c") else { Issue.record("w2 next"); return }
    }

    @Test func closeFailsWaitersAndClosesReturnedConnections() {
        var state = State(capacity: 2)
        _ = state.borrowWithoutWaiting()
        _ = state.borrowWithoutWaiting()
        guard case .keptIdle = state.release("idle") else { Issue.record("idle"); return }
        _ = state.borrowWithoutWaiting()
        _ = state.borrow(id: 1, waiter: "w1")
        _ = state.release("idle")  // handed to w1
        _ = state.borrow(id: 2, waiter: "w2")
        let (idle, waiters) = state.close()
        #expect(idle.isEmpty)
        #expect(waiters == ["w2"])
        guard case .close("x") = state.release("x") else { Issue.record("close on release"); return }
        guard case .closed = state.borrowWithoutWaiting() else { Issue.record("closed"); return }
    }

    @Test func fifoQueueKeepsOrderAcrossCompaction() {
        var queue = FIFOQueue<Int>()
        var popped: [Int] = []
        for value in 0..<500 {
            queue.push(value)
            if value % 3 == 0, let first = queue.pop() { popped.append(first) }
        }
        while let value = queue.pop() { popped.append(value) }
        #expect(popped == Array(0..<500))
    }
}
