import Foundation

/// A run named on the command line: `ID`, or `TENANT/ID` for a run of another tenant than the
/// one the CLI acts for (the demo waits for two tenants' runs in one `run wait`).
struct RunReference {
    let id: String
    let tenant: String?

    init(_ text: String, usage: String) throws(CLIError) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        switch parts.count {
        case 1 where !text.isEmpty:
            id = text
            tenant = nil
        case 2 where !parts[0].isEmpty && !parts[1].isEmpty:
            tenant = String(parts[0])
            id = String(parts[1])
        default:
            throw .usage("'\(text)' is not a run id or TENANT/RUN_ID", usage)
        }
    }

    /// The client acting for this run's tenant.
    func client(from api: APIClient) -> APIClient {
        tenant.map { api.acting(for: $0) } ?? api
    }

    /// `1b2c3d4e…` for progress lines.
    var short: String { id.count > 8 ? String(id.prefix(8)) + "…" : id }

    /// Path-safe id for URLs (ids are UUIDs, but the argument is user input).
    var escapedID: String {
        id.escapedPathSegment
    }
}
