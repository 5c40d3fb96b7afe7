import LocalStack
import Postgres
import Runtime
import Synchronization

/// A client on a fresh database of the shared test cluster, so tests never see each other's rows.
func makeClient(_ prefix: String, poolSize: Int = 4) async throws -> PostgresClient {
    makeClient(url: try await TestDatabaseURL.fresh(prefix), poolSize: poolSize)
}

func makeClient(url: String, poolSize: Int = 4) -> PostgresClient {
    PostgresClient(configuration: PostgresConfiguration(connectionString: url, poolSize: poolSize),
                   logger: Logger(label: "postgres-tests", level: .warning))
}

enum TestDatabaseURL {
    static func fresh(_ prefix: String) async throws -> String { try await TestPostgres.freshDatabase(prefix: "pg_\(prefix)") }
}

/// Runs `body` with a client on a fresh database and closes the client afterwards.
@discardableResult
func withClient<T>(_ prefix: String, poolSize: Int = 4, _ body: (PostgresClient) async throws -> T) async throws -> T {
    let client = try await makeClient(prefix, poolSize: poolSize)
    do {
        let value = try await body(client)
        await client.close()
        return value
    } catch {
        await client.close()
        throw error
    }
}

struct Marker: Error {}

/// A counter closures can share (an `Atomic` itself cannot be captured by escaping closures).
final class SharedCounter: Sendable {
    private let storage = Atomic<Int>(0)
    private let peakStorage = Atomic<Int>(0)

    /// Adds one and returns the new value, remembering the highest value seen.
    @discardableResult
    func increment() -> Int {
        let now = storage.add(1, ordering: .relaxed).newValue
        peakStorage.max(now, ordering: .relaxed)
        return now
    }

    func decrement() { storage.subtract(1, ordering: .relaxed) }
    var value: Int { storage.load(ordering: .relaxed) }
    var peak: Int { peakStorage.load(ordering: .relaxed) }
}
