import Dispatch

/// Runs blocking work (pg_ctl, waitpid, file system) on a Dispatch queue instead of the
/// cooperative pool, so a slow `pg_ctl start` cannot starve other tasks of the test process.
enum Blocking {
    static func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global(qos: .userInitiated).async {
                continuation.resume(with: Result { try body() })
            }
        }
    }
}
