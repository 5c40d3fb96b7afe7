/// The services' JSON answers as the CLI reads them. Decodable ignores keys it does not know, and
/// everything the CLI can live without is optional, so newer services do not break older CLIs.

struct APIErrorBody: Decodable {
    let error: String
}

struct WorkflowStored: Decodable {
    let name: String
    let version: Int
    let created: Bool?
}

struct WorkflowListing: Decodable {
    struct Workflow: Decodable {
        let name: String
        let version: Int
        let createdAt: String?
        let taskCount: Int?
    }

    let workflows: [Workflow]
}

struct RunStarted: Decodable {
    let id: String
    let workflow: String?
    let version: Int?
}

struct RunRequest: Encodable {
    let workflow: String
    let parameters: [String: String]
}

struct RunDetail: Decodable {
    struct TaskDetail: Decodable {
        let id: String
        let state: String
        let attempt: Int?
        let exitCode: Int?
        let reason: String?
        let agent: String?
        /// What holds it in the dispatcher's queue, while it waits there.
        let waitingFor: String?
    }

    let id: String
    let workflow: String
    let version: Int?
    let tenant: String?
    let state: String
    let createdAt: String?
    let finishedAt: String?
    let tasks: [TaskDetail]

    /// Terminal run states; anything else is still moving.
    var isFinished: Bool { ["succeeded", "failed", "cancelled"].contains(state) }

    func count(_ states: String...) -> Int {
        tasks.filter { states.contains($0.state) }.count
    }
}

struct RunListing: Decodable {
    struct Run: Decodable {
        let id: String
        let workflow: String
        let state: String
        let createdAt: String?
        let finishedAt: String?
        let tasksTotal: Int?
        let tasksOpen: Int?
    }

    let runs: [Run]
}

struct AuditListing: Decodable {
    struct Record: Decodable {
        let actor: String?
        let action: String?
        let subjectType: String?
        let subjectId: String?
        let taskId: String?
        let fromState: String?
        let toState: String?
        let occurredAt: String?
    }

    let records: [Record]
}

struct ResourceListing: Decodable {
    struct Resource: Decodable {
        let id: String
        let `class`: String?
        let host: String?
        let pool: String?
        let status: String?
        let lastSeen: String?
    }

    let resources: [Resource]
}

struct AlertRoute: Encodable {
    let webhookUrl: String
}

struct RunCancelled: Decodable {
    let id: String?
    let state: String?
}

// MARK: - Schedules and triggers (trigger-service)

struct ScheduleListing: Decodable {
    let schedules: [ScheduleSummary]
}

struct ScheduleSummary: Decodable {
    let workflow: String
    let id: String
    let cron: String?
    let timezone: String?
    let paused: Bool?
    let overlap: String?
    let misfire: String?
    let nextFire: String?
    /// The next fire in the schedule's own zone, with its offset.
    let nextFireLocal: String?
    let lastFire: String?
}

struct FireListing: Decodable {
    struct Fire: Decodable {
        let logicalTime: String?
        let source: String?
        let state: String?
        let reason: String?
        let runID: String?
        let createdAt: String?
    }

    let fires: [Fire]
}

/// `from`/`to` go as typed: the service reads them in each schedule's own zone.
struct BackfillRequest: Encodable {
    let from: String
    let to: String
    let schedule: String?
}

struct BackfillResult: Decodable {
    let workflow: String?
    /// Fires in the range.
    let fires: Int
    /// Fires newly queued; the rest had already fired or been backfilled.
    let created: Int
}

struct CalendarRequest: Encodable {
    let dates: [String]
    let description: String?
}

struct CalendarDetail: Decodable {
    let name: String
    let description: String?
    let dates: [String]?
    let updatedBy: String?
    let updatedAt: String?
}

struct CalendarListing: Decodable {
    let calendars: [CalendarDetail]
}

struct WebhookRequest: Encodable {
    let name: String
}

struct WebhookDetail: Decodable {
    let id: String
    let workflow: String?
    let name: String?
    /// The receive path on trigger-service (`/v1/hooks/<id>`).
    let path: String?
    let createdBy: String?
    let createdAt: String?
    /// Only in the answer that created the webhook.
    let secret: String?
}

struct WebhookListing: Decodable {
    let webhooks: [WebhookDetail]
}

/// The `run show --json` shape fixed by issue 2: exactly these keys, in this order, with
/// `exitCode` null when the task has none.
struct RunJSON: Encodable {
    struct TaskJSON: Encodable {
        let id: String
        let state: String
        let attempt: Int
        let exitCode: Int?

        enum CodingKeys: String, CodingKey { case id, state, attempt, exitCode }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(id, forKey: .id)
            try container.encode(state, forKey: .state)
            try container.encode(attempt, forKey: .attempt)
            try container.encode(exitCode, forKey: .exitCode)
        }
    }

    let id: String
    let workflow: String
    let tenant: String
    let state: String
    let tasks: [TaskJSON]

    init(_ run: RunDetail, tenant: String) {
        id = run.id
        workflow = run.workflow
        self.tenant = run.tenant ?? tenant
        state = run.state
        tasks = run.tasks.map { TaskJSON(id: $0.id, state: $0.state, attempt: $0.attempt ?? 0, exitCode: $0.exitCode) }
    }
}
