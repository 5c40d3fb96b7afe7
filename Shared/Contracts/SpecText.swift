import Foundation
import Runtime

// A task's spec crosses the dispatcher as the text it arrived in: read from the ready, stored
// in `task_specs`, and written into the signed order as it is (`RawJSON`). Decoding it and
// encoding it again, at intake and at every dispatch, was a fifth of the dispatcher's CPU
// (docs/performance.md, item 62). The intake still decodes the spec whole. A ready whose spec
// does not read is refused there, not when an agent reads the order.

extension TaskReady {
    /// A `TaskReady` as the dispatcher's intake reads it. The spec is decoded, for its checks and
    /// its placement, and also kept as the text it came in.
    public struct Received: GroupablePayload {
        public static var type: String { TaskReady.type }
        public static var version: Int { TaskReady.version }
        public let task: TaskSpec
        public let specText: RawJSON

        private enum CodingKeys: String, CodingKey { case task }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            task = try container.decode(TaskSpec.self, forKey: .task)
            specText = try container.decode(RawJSON.self, forKey: .task)
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(specText, forKey: .task)
        }

        public var estimatedBytes: Int { 20 + specText.bytes.count }
    }
}

/// What a dispatch order is signed as (`DispatchSigner`): a `DispatchOrder`, or one whose spec
/// is the text stored at intake.
public protocol DispatchOrderBody: Encodable, Sendable {}

extension DispatchOrder: DispatchOrderBody {}

extension DispatchOrder {
    /// A `DispatchOrder` as the dispatcher writes it: the spec is the text stored when the task
    /// was queued. It encodes to the JSON of the `DispatchOrder` it stands for.
    public struct Prepared: DispatchOrderBody {
        public var task: RawJSON
        public var attempt: Int
        public var tenant: String
        public var agentID: String
        public var agentSession: String?
        public var issuedAt: Date

        public init(task: RawJSON, attempt: Int, tenant: String, agentID: String, agentSession: String?, issuedAt: Date) {
            self.task = task
            self.attempt = attempt
            self.tenant = tenant
            self.agentID = agentID
            self.agentSession = agentSession
            self.issuedAt = issuedAt
        }

        public var estimatedBytes: Int { 200 + task.bytes.count + tenant.utf8.count + agentID.utf8.count + (agentSession?.utf8.count ?? 0) }
    }
}
