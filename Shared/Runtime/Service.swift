/// A long-running part of a process. `run()` returns when its task is cancelled, after finishing
/// in-flight work (drain), or throws when it cannot go on.
public protocol Service: Sendable {
    var name: String { get }
    func run() async throws
}

/// A service built from a closure, for small loops that need no type of their own.
public struct ClosureService: Service {
    public let name: String
    private let body: @Sendable () async throws -> Void

    public init(name: String, _ body: @escaping @Sendable () async throws -> Void) {
        self.name = name
        self.body = body
    }

    public func run() async throws { try await body() }
}

extension Task where Success == Never, Failure == Never {
    /// Sleeps, returning early (without throwing) when the task is cancelled.
    public static func pause(_ duration: Duration) async {
        try? await Task.sleep(for: duration)
    }
}

extension Duration {
    /// The duration as fractional seconds, for SQL intervals, metrics and log fields.
    public var inSeconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
