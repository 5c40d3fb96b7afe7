import Contracts
import Foundation
import HTTP
import Postgres
import Runtime
import ServiceKit
import Sodium

/// `/v1/workflows`: apply (validate + store a new version), list, show.
struct WorkflowRoutes: Sendable {
    let context: ServiceContext

    struct Applied: Codable, Sendable {
        let name: String
        let version: Int
        let created: Bool
    }

    struct Summary: Codable, Sendable {
        let name: String
        let version: Int
        let createdAt: Date
        let taskCount: Int
    }

    struct Detail: Codable, Sendable {
        let name: String
        let version: Int
        let createdAt: Date
        let createdBy: String
        let definition: WorkflowDefinition
    }

    /// Stores a new version unless the definition is identical to the latest one, so re-applying
    /// the same file is a no-op. Invalid definitions are rejected whole; nothing is stored.
    @Sendable func apply(_ request: HTTPRequest) async throws -> HTTPResponse {
        let principal = try await context.principal(request)
        try principal.requireWrite()
        let definition: WorkflowDefinition
        do { definition = try WorkflowDefinition.parse(request.body) } catch {
            throw HTTPError.badRequest("invalid workflow definition: \(error.message)")
        }
        let document = String(decoding: try WireCoding.canonical(definition), as: UTF8.self)
        let digest = Sodium.hex(Sodium.sha256(document))
        let applied = try await context.tenantScoped(principal) { connection, outbox -> Applied in
            try connection.execute("SELECT pg_advisory_xact_lock(hashtext($1))", ["workflow/\(principal.tenant)/\(definition.name)"])
            let latest = try connection.query("""
                SELECT version, definition_sha256 FROM workflows WHERE tenant = $1 AND name = $2 ORDER BY version DESC LIMIT 1
                """, [principal.tenant, definition.name]).first
            if let latest, try latest.string("definition_sha256") == digest {
                return Applied(name: definition.name, version: try latest.int("version"), created: false)
            }
            let version = (try latest?.int("version") ?? 0) + 1
            try connection.execute("""
                INSERT INTO workflows (tenant, name, version, definition, definition_sha256, created_by)
                VALUES ($1, $2, $3, $4::jsonb, $5, $6)
                """, [principal.tenant, definition.name, version, document, digest, principal.name])
            try ScheduleStore.sync(definition, version: version, tenant: principal.tenant, now: Date(), connection)
            try EventTriggerStore.sync(definition, tenant: principal.tenant, connection)
            try outbox.audit(AuditRecord(actor: principal.name, action: "workflow.apply", subjectType: "workflow",
                                           subjectID: definition.name, details: ["version": "\(version)", "sha256": digest]),
                               tenant: principal.tenant, key: principal.tenant)
            return Applied(name: definition.name, version: version, created: true)
        }
        context.logger.info("workflow applied", [LogKey.tenant: principal.tenant, LogKey.workflow: applied.name,
                                                 "workflow.version": "\(applied.version)", "created": "\(applied.created)"])
        return .json(applied, status: applied.created ? 201 : 200)
    }

    @Sendable func list(_ request: HTTPRequest) async throws -> HTTPResponse {
        let principal = try await context.principal(request)
        let workflows = try await context.tenantRead(principal) { connection in
            try connection.query("""
                SELECT DISTINCT ON (name) name, version, created_at, jsonb_array_length(definition->'tasks') AS task_count
                FROM workflows WHERE tenant = $1 ORDER BY name, version DESC
                """, [principal.tenant]).map { row in
                Summary(name: try row.string("name"), version: try row.int("version"),
                        createdAt: try row.date("created_at"), taskCount: try row.int("task_count"))
            }
        }
        return .json(["workflows": workflows])
    }

    @Sendable func show(_ request: HTTPRequest) async throws -> HTTPResponse {
        let principal = try await context.principal(request)
        let name = try request.parameter("name")
        let version = request.query["version"].flatMap(Int.init)
        let detail = try await context.tenantRead(principal) { connection -> Detail? in
            let rows = try connection.query("""
                SELECT name, version, created_at, created_by, definition::text AS definition FROM workflows
                WHERE tenant = $1 AND name = $2 AND ($3::int IS NULL OR version = $3) ORDER BY version DESC LIMIT 1
                """, [principal.tenant, name, version])
            guard let row = rows.first else { return nil }
            return Detail(name: try row.string("name"), version: try row.int("version"), createdAt: try row.date("created_at"),
                          createdBy: try row.string("created_by"), definition: try row.json("definition", as: WorkflowDefinition.self))
        }
        guard let detail else { throw HTTPError.notFound("no workflow '\(name)'") }
        return .json(detail)
    }

    /// One version in `GET /v1/workflows/:name/versions`, with the changes from the version before.
    struct Version: Codable, Sendable {
        let version: Int
        let createdAt: Date
        let createdBy: String
        let sha256: String
        let changes: [String]
    }

    /// Every version of a workflow, newest first, each with a line diff of its definition
    /// (pretty-printed, keys sorted) against the previous version.
    @Sendable func history(_ request: HTTPRequest) async throws -> HTTPResponse {
        let principal = try await context.principal(request)
        let name = try request.parameter("name")
        let limit = min(max(Int(request.query["limit"] ?? "") ?? 20, 1), 200)
        let rows = try await context.tenantRead(principal) { connection in
            try connection.query("""
                SELECT version, created_at, created_by, definition_sha256, definition::text AS definition FROM workflows
                WHERE tenant = $1 AND name = $2 ORDER BY version DESC LIMIT $3
                """, [principal.tenant, name, limit + 1]).map { row in
                (version: try row.int("version"), createdAt: try row.date("created_at"), createdBy: try row.string("created_by"),
                 sha256: try row.string("definition_sha256"), lines: try Self.lines(try row.json("definition", as: WorkflowDefinition.self)))
            }
        }
        guard !rows.isEmpty else { throw HTTPError.notFound("no workflow '\(name)'") }
        var versions: [Version] = []
        for (index, row) in rows.prefix(limit).enumerated() {
            let previous = index + 1 < rows.count ? rows[index + 1].lines : []
            versions.append(Version(version: row.version, createdAt: row.createdAt, createdBy: row.createdBy, sha256: row.sha256,
                                    changes: LineDiff.changes(previous, row.lines).map(\.rendered)))
        }
        return .json(["versions": versions])
    }

    private static func lines(_ definition: WorkflowDefinition) throws -> [String] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(definition), as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    }
}
