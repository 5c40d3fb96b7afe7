import Contracts
import Foundation
import Postgres

/// The `event_triggers` table: the Kafka-topic triggers of each workflow's latest version, which
/// the event consumer subscribes to. A trigger counts messages from when it was first applied
/// (`active_since`), so adding one to a topic with history does not replay that history.
enum EventTriggerStore {
    struct Trigger: Sendable {
        let tenant: String
        let workflow: String
        let spec: EventTriggerDefinition
        let activeSince: Date
    }

    static func sync(_ definition: WorkflowDefinition, tenant: String, _ connection: PostgresConnection) throws {
        let ids = definition.events.map(\.id)
        try connection.execute("DELETE FROM event_triggers WHERE tenant = $1 AND workflow = $2 AND NOT (trigger_id = ANY($3))",
                               [tenant, definition.name, ids])
        for event in definition.events {
            // A changed topic or filter is a new trigger: it starts counting now.
            try connection.execute("""
                INSERT INTO event_triggers (tenant, workflow, trigger_id, topic, spec) VALUES ($1, $2, $3, $4, $5::jsonb)
                ON CONFLICT (tenant, workflow, trigger_id) DO UPDATE SET topic = EXCLUDED.topic, spec = EXCLUDED.spec,
                    active_since = CASE WHEN event_triggers.spec = EXCLUDED.spec THEN event_triggers.active_since ELSE now() END
                """, [tenant, definition.name, event.id, event.topic, String(decoding: try WireCoding.encode(event), as: UTF8.self)])
        }
    }

    static func all(_ connection: PostgresConnection) throws -> [Trigger] {
        try connection.query("SELECT tenant, workflow, spec::text AS spec, active_since FROM event_triggers").map { row in
            Trigger(tenant: try row.string("tenant"), workflow: try row.string("workflow"),
                    spec: try row.json("spec", as: EventTriggerDefinition.self), activeSince: try row.date("active_since"))
        }
    }
}
