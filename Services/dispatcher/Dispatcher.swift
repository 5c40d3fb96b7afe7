import Contracts
import HTTP
import Runtime
import ServiceKit

/// dispatcher: turns ready tasks into numbered attempts on their pool's topic, holding a lease per
/// task; tracks agent liveness from heartbeats and re-dispatches the attempts of agents that went
/// silent. Tenancy, quotas and fairness plug in here in a later issue.
enum Dispatcher {
    @Sendable static func build(_ context: ServiceContext) async throws -> ServiceApp {
        let agentTimeout = try context.environment.seconds("WL_AGENT_TIMEOUT", default: 10)
        let leases = LeaseBook(logger: context.logger)
        let loop = try context.consumerLoop("dispatch", topics: [Topics.tasksReady, Topics.tasksStatus, Topics.agentsHeartbeat]) { message, connection, outbox in
            switch message.header.type {
            case TaskReady.type: try leases.dispatch(try message.decode(TaskReady.self), connection, outbox)
            case TaskStatus.type: try leases.track(try message.decode(TaskStatus.self), connection)
            case AgentHeartbeat.type: try leases.recordHeartbeat(try message.decode(AgentHeartbeat.self), connection)
            default: context.logger.debug("ignoring message", [LogKey.messageType: message.header.type])
            }
        }
        let sweeper = LostAgentSweeper(context: context, leases: leases, agentTimeout: agentTimeout)
        return ServiceApp(router: Router(), services: [sweeper, loop])
    }
}
