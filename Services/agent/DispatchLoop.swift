import Contracts
import Kafka
import Runtime
import ServiceKit

/// Pulls as many dispatches as there are free slots, accepts them (reports `running`, then
/// commits the offsets), and only then starts the processes. On SIGTERM it stops pulling and
/// waits for the attempts in hand to finish and report.
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
                let accepted = try await accept(messages)
                try await consumer.commit(messages)
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

    /// Admits the batch's new attempts to the ledger, claims their slots and reports `running`
    /// for each; returns them. Attempts seen before (redelivered dispatches) are dropped here.
    private func accept(_ messages: [KafkaMessage]) async throws -> [(String, Envelope<TaskDispatch>)] {
        var dispatches: [(String, Envelope<TaskDispatch>)] = []
        for message in messages {
            do {
                let dispatch = try Envelope<TaskDispatch>.decode(message.value)
                let task = dispatch.payload.task
                dispatches.append(("\(task.runID.uuidString.lowercased())/\(task.taskID)/\(dispatch.payload.attempt)", dispatch))
            } catch {
                context.logger.error("undecodable dispatch skipped", [LogKey.topic: message.topic, LogKey.offset: "\(message.offset)",
                                                                      LogKey.error: "\(error)"])
            }
        }
        let fresh = try ledger.admit(dispatches.map(\.0))
        var accepted: [(String, Envelope<TaskDispatch>)] = []
        var reports: [KafkaOutgoingMessage] = []
        for (key, dispatch) in dispatches {
            let task = dispatch.payload.task
            guard fresh.contains(key), slots.claim(key) else {
                context.logger.warning("duplicate dispatch dropped", [LogKey.run: task.runID.uuidString.lowercased(), LogKey.task: task.taskID,
                                                                      LogKey.attempt: "\(dispatch.payload.attempt)"])
                continue
            }
            accepted.append((key, dispatch))
            let running = TaskStatus(runID: task.runID, taskID: task.taskID, attempt: dispatch.payload.attempt, state: .running,
                                     agentID: runner.configuration.agentID)
            reports.append(KafkaOutgoingMessage(topic: Topics.tasksStatus, key: task.runID.uuidString.lowercased(),
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
