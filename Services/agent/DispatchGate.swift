import Contracts
import Kafka
import Runtime
import ServiceKit

/// What every message on this agent's dispatch topic must pass before anything in it is
/// believed: the dispatcher's signature over the order, and an address naming this agent (and
/// this process, when the order names a session). Whoever can write to the topic still cannot
/// make the agent run anything, nor replay an order signed for another agent or tenant.
struct DispatchGate: Sendable {
    let verifier: DispatchVerifier
    let agentID: String
    let session: String

    enum Verdict: Sendable {
        case order(DispatchOrder)
        /// Not for this agent process, or not genuine: nothing runs and nothing is reported.
        /// `suspicious` drops are logged as errors (a forgery or a misrouted order); the rest
        /// (an order for an earlier session) are expected after a restart.
        case drop(reason: String, suspicious: Bool)
    }

    func check(_ message: KafkaMessage) -> Verdict {
        let envelope: Envelope<TaskDispatch>
        do { envelope = try Envelope<TaskDispatch>.decode(message.value) } catch {
            return .drop(reason: "undecodable dispatch: \(error)", suspicious: true)
        }
        let order: DispatchOrder
        do { order = try verifier.open(envelope.payload) } catch {
            return .drop(reason: "\(error.description) (message \(envelope.id.key), tenant \(envelope.tenant))", suspicious: true)
        }
        guard order.agentID == agentID else {
            return .drop(reason: "order addressed to agent \(order.agentID), not \(agentID)", suspicious: true)
        }
        guard order.tenant == envelope.tenant else {
            return .drop(reason: "order for tenant \(order.tenant) arrived in an envelope of tenant \(envelope.tenant)", suspicious: true)
        }
        if let addressed = order.agentSession, addressed != session {
            // The dispatcher hands the attempts of a restarted agent's old session to someone else.
            return .drop(reason: "order for an earlier session \(addressed) of this agent", suspicious: false)
        }
        return .order(order)
    }
}
