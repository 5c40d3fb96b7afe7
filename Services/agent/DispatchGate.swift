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
        /// One order (`TaskDispatch`) or several under one signature (`TaskDispatches`), all
        /// addressed to this agent process.
        case orders([DispatchOrder])
        /// Not for this agent process, or not genuine: nothing runs and nothing is reported.
        /// `suspicious` drops are logged as errors (a forgery or a misrouted order); the rest
        /// (orders for an earlier session) are expected after a restart.
        case drop(reason: String, suspicious: Bool)
    }

    func check(_ message: KafkaMessage) -> Verdict {
        let opened: (orders: [DispatchOrder], tenant: String)
        do { opened = try open(message.value) } catch let refusal as DispatchSigning.Refused {
            return .drop(reason: refusal.description, suspicious: true)
        } catch {
            return .drop(reason: "undecodable dispatch: \(error)", suspicious: true)
        }
        guard let first = opened.orders.first else { return .drop(reason: "a dispatch without orders", suspicious: true) }
        // A signed batch is for one agent, session and tenant; the dispatcher never mixes them.
        guard opened.orders.allSatisfy({ $0.agentID == first.agentID && $0.agentSession == first.agentSession && $0.tenant == first.tenant })
        else { return .drop(reason: "the orders of one dispatch disagree on their agent, session or tenant", suspicious: true) }
        guard first.agentID == agentID else {
            return .drop(reason: "order addressed to agent \(first.agentID), not \(agentID)", suspicious: true)
        }
        guard first.tenant == opened.tenant else {
            return .drop(reason: "order for tenant \(first.tenant) arrived in an envelope of tenant \(opened.tenant)", suspicious: true)
        }
        if let addressed = first.agentSession, addressed != session {
            // The dispatcher hands the attempts of a restarted agent's old session to someone else.
            return .drop(reason: "order for an earlier session \(addressed) of this agent", suspicious: false)
        }
        return .orders(opened.orders)
    }

    /// The verified orders a dispatch message carries, and its envelope's tenant.
    private func open(_ bytes: [UInt8]) throws -> (orders: [DispatchOrder], tenant: String) {
        let parsed = try WireParsed(bytes)
        let header = try parsed.decode(EnvelopeHeader.self)
        let id = header.id.key
        do {
            switch header.type {
            case TaskDispatches.type:
                return (try verifier.open(try Envelope<TaskDispatches>.decode(parsed).payload), header.tenant)
            default:
                return ([try verifier.open(try Envelope<TaskDispatch>.decode(parsed).payload)], header.tenant)
            }
        } catch let refusal as DispatchSigning.Refused {
            throw DispatchSigning.Refused(description: "\(refusal.description) (message \(id), tenant \(header.tenant))")
        }
    }
}
