import Postgres
import Runtime

/// Prunes processed-message ids older than the retention window, in small batches so it never
/// holds long locks. A redelivery older than the window (days, against Kafka redeliveries within
/// minutes of a crash) would not be recognised, so the window must exceed the topics' retention
/// of unconsumed data; it is configurable with `WL_DEDUPE_RETENTION_HOURS` (default 168 = 7 days).
struct Housekeeping: Service {
    let name = "housekeeping"
    let database: PostgresClient
    let retentionHours: Int
    let logger: Logger
    let interval: Duration = .seconds(600)

    func run() async throws {
        while !Task.isCancelled {
            await Task.pause(interval)
            if Task.isCancelled { break }
            do {
                var removed = 0
                while !Task.isCancelled {
                    let batch = try await database.withConnection { [retentionHours] connection in
                        try connection.execute("""
                            DELETE FROM processed_messages WHERE ctid IN (
                                SELECT ctid FROM processed_messages WHERE processed_at < now() - make_interval(hours => $1) LIMIT 5000)
                            """, [retentionHours])
                    }
                    removed += batch
                    if batch < 5_000 { break }
                }
                if removed > 0 { logger.info("pruned processed-message ids", ["count": "\(removed)"]) }
            } catch {
                logger.warning("housekeeping failed", [LogKey.error: "\(error)"])
            }
        }
    }
}
