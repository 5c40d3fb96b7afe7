import Contracts
import Kafka
import Runtime
import ServiceKit

/// Pulls as many dispatch messages as there are free slots from this agent's topic, accepts their
/// orders (commits the offsets), records them in the ledger and only then starts the processes;
/// `running` is reported for the attempts still running a moment later (`RunningReports`). A
/// message may hold several orders (`TaskDispatches`) and is accepted whole: the dispatcher never
/// has more orders out to an agent than it has free slots, so this runs more than `slots` at once
/// only when the dispatcher's view was behind (an agent restarted with fewer slots), and then
/// polls again only once it is back under its capacity. If the commit fails (a rebalance moved
/// the partition), nothing starts: the partition's new owner gets the order again and runs it.
/// Orders that fail the gate are dropped unreported; orders the local policy refuses are accepted
/// the same way but reported `failed` (reason `policy: …`, before the commit) instead of started.
/// On SIGTERM it stops pulling and waits for the attempts in hand.
struct DispatchLoop: Service {
    let name = "dispatch-loop"
    let context: ProcessContext
    let consumer: KafkaConsumer
    let gate: DispatchGate
    let planner: AttemptPlanner
    let runner: AttemptRunner
    let slots: SlotBoard
    let ledger: AttemptLedger

    /// One batch's accepted orders: the ones to start, and every attempt to record in the ledger.
    private struct Batch {
        var plans: [AttemptPlan] = []
        var attempts: [AttemptRef] = []
        /// The same attempts, to drop an order a batch holds twice without a walk of the list.
        var seen: Set<AttemptRef> = []
        /// The refusals' reports: each run's go out as one message.
        var refusals = StatusReports()
    }

    func run() async throws {
        // A discarding group frees each attempt's task when it ends; a plain task group keeps
        // every finished child until its result is read, which grows without bound on an agent
        // that runs hundreds of thousands of attempts.
        try await withThrowingDiscardingTaskGroup { group in
            while !Task.isCancelled {
                let free = slots.free
                guard free > 0 else {
                    await slots.freed.wait(upTo: .seconds(1))
                    continue
                }
                let messages = try await consumer.poll(maxMessages: free, timeout: .milliseconds(100))
                guard !messages.isEmpty else { continue }
                let batch: Batch
                do { batch = try await accept(messages) } catch {
                    // Nothing was committed or started: the same orders come round again.
                    context.logger.warning("could not accept dispatches; retrying", [LogKey.error: "\(error)"])
                    await Task.pause(.seconds(1))
                    continue
                }
                do {
                    try await consumer.commit(messages)
                } catch {
                    batch.plans.forEach { slots.release($0.key) }
                    context.logger.warning("dispatch offsets not committed; the partition's owner will run them",
                                           [LogKey.error: "\(error)", "attempts": "\(batch.plans.count)"])
                    continue
                }
                try ledger.record(batch.attempts.map(\.ledgerKey))
                for plan in batch.plans {
                    group.addTask {
                        await runner.run(plan)
                        slots.release(plan.key)
                    }
                }
            }
            await consumer.close()
        }
    }

    /// Claims slots for each genuine order of the batch not accepted here before, or reports it
    /// `failed` when the policy refuses it. Redelivered orders of attempts in the ledger are
    /// dropped.
    private func accept(_ messages: [KafkaMessage]) async throws -> Batch {
        var batch = Batch()
        for order in messages.flatMap(open) {
            let key = order.key
            guard !ledger.contains(key.ledgerKey), batch.seen.insert(key).inserted else {
                context.logger.warning("duplicate dispatch dropped", [LogKey.run: key.runID.key, LogKey.task: key.taskID,
                                                                      LogKey.attempt: "\(key.attempt)"])
                continue
            }
            switch planner.plan(order) {
            case .run(let plan):
                guard slots.claim(key) else { continue }
                batch.plans.append(plan)
            case .refuse(let refusal):
                let status = TaskStatus(runID: key.runID, taskID: key.taskID, attempt: key.attempt, state: .failed,
                                        agentID: runner.configuration.agentID, agentSession: runner.configuration.session,
                                        reason: "\(TaskFailure.policy): \(refusal)")
                batch.refusals.add(status, tenant: order.tenant)
                context.logger.warning("order refused by the agent's policy", [LogKey.tenant: order.tenant, LogKey.run: key.runID.key,
                                                                               LogKey.task: key.taskID, LogKey.attempt: "\(key.attempt)",
                                                                               "reason": refusal])
            }
            batch.attempts.append(key)
        }
        guard !batch.refusals.isEmpty else { return batch }
        do {
            try await context.producer.send(try batch.refusals.messages())
        } catch {
            batch.plans.forEach { slots.release($0.key) }
            throw error
        }
        return batch
    }

    /// The orders in `message` if it passes the gate; drops are logged here.
    private func open(_ message: KafkaMessage) -> [DispatchOrder] {
        switch gate.check(message) {
        case .orders(let orders):
            return orders
        case .drop(let reason, let suspicious):
            let metadata = [LogKey.topic: message.topic, LogKey.partition: "\(message.partition)", LogKey.offset: "\(message.offset)",
                            "reason": reason]
            if suspicious {
                context.logger.error("dispatch refused: nothing runs", metadata)
            } else {
                context.logger.info("dispatch dropped", metadata)
            }
            return []
        }
    }
}
