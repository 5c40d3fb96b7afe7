import Contracts
import Kafka
import Runtime
import ServiceKit

/// Pulls as many dispatches as there are free slots, accepts them (reports `running`, then
/// commits the offsets), records them in the ledger and only then starts the processes. If the
/// commit fails (a rebalance moved the partition), nothing starts: the partition's new owner gets
/// the dispatch again and runs it. On SIGTERM it stops pulling and waits for the attempts in hand.
struct DispatchLoop: Service {
    let name = "dispatch-loop"
    let context: ProcessContext
    let consumer: KafkaConsumer
    let runner: AttemptRunner
    let slots: SlotBoard
    let ledger: AttemptLedger

    func run() async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            while !Task.isCancelled {
                let free = slots.free
                guard free > 0 else {
                    await slots.freed.wait(upTo: .seconds(1))
                    continue
                }
                let messages = try await consumer.poll(maxMessages: free, timeout: .milliseconds(100))
                guard !messages.isEmpty else { continue }
                let accepted: [(String, Envelope<TaskDispatch>)]
                do { accepted = try await accept(messages) } catch {
                    // Nothing was committed or started: the same dispatches come round again.
                    context.logger.warning("could not accept dispatches; retrying", [LogKey.error: "\(error)"])
                    await Task.pause(.seconds(1))
                    continue
                }
                do {
                    try await consumer.commit(messages)
                } catch {
                    accepted.forEach { slots.release($0.0) }
                    context.logger.warning("dispatch offsets not committed; the partition's owner will run them",
                                           [LogKey.error: "\(error)", "attempts": "\(accepted.count)"])
                    continue
                }
                try ledger.record(accepted.map(\.0))
                for (key, dispatch) in accepted {
                    group.addTask {
                        await runner.run(dispatch)
                        slots.release(key)
                    }
                }
            }
            await consumer.close()
            try await group.waitForAll()
        }
    }

    /// Claims slots and reports `running` for each attempt of the batch not started before here;
    /// returns them. Redelivered dispatches of attempts in the ledger are dropped.
    private func accept(_ messages: [KafkaMessage]) async throws -> [(String, Envelope<TaskDispatch>)] {
        var accepted: [(String, Envelope<TaskDispatch>)] = []
        var reports: [KafkaOutgoingMessage] = []
        for message in messages {
            let dispatch: Envelope<TaskDispatch>
            do { dispatch = try Envelope<TaskDispatch>.decode(message.value) } catch {
                context.logger.error("undecodable dispatch skipped", [LogKey.topic: message.topic, LogKey.offset: "\(message.offset)",
                                                                      LogKey.error: "\(error)"])
                continue
            }
            let task = dispatch.payload.task
            let key = "\(task.runID.key)/\(task.taskID)/\(dispatch.payload.attempt)"
            guard !ledger.contains(key), slots.claim(key) else {
                context.logger.warning("duplicate dispatch dropped", [LogKey.run: task.runID.key, LogKey.task: task.taskID,
                                                                      LogKey.attempt: "\(dispatch.payload.attempt)"])
                continue
            }
            accepted.append((key, dispatch))
            let running = TaskStatus(runID: task.runID, taskID: task.taskID, attempt: dispatch.payload.attempt, state: .running,
                                     agentID: runner.configuration.agentID, agentSession: runner.configuration.session)
            reports.append(KafkaOutgoingMessage(topic: Topics.tasksStatus, key: task.runID.key,
                                                value: try Envelope(tenant: dispatch.tenant, payload: running).encoded()))
        }
        do {
            try await context.producer.send(reports)
        } catch {
            accepted.forEach { slots.release($0.0) }
            throw error
        }
        return accepted
    }
}
