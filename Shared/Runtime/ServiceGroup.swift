import Dispatch
import Foundation

/// Runs a process's services and shuts them down in reverse order on SIGTERM/SIGINT, or when any
/// of them stops on its own. Services listed first (the HTTP server, the outbox relay) are stopped
/// last, so consumers drain and flush while health endpoints and the relay still work.
public struct ServiceGroup: Sendable {
    public struct ShutdownTimeout: Error, CustomStringConvertible {
        public let service: String
        public var description: String { "service \(service) did not stop within the shutdown deadline" }
    }

    public struct ServiceFailed: Error, CustomStringConvertible {
        public let service: String
        public let underlying: String
        public var description: String { "service \(service) failed: \(underlying)" }
    }

    private enum Event: Sendable {
        case signal(Int32)
        case finished(Int, String?)
    }

    private let services: [any Service]
    private let logger: Logger
    private let shutdownTimeout: Duration

    public init(services: [any Service], logger: Logger, shutdownTimeout: Duration = .seconds(25)) {
        self.services = services
        self.logger = logger
        self.shutdownTimeout = shutdownTimeout
    }

    /// Returns normally after a signal-initiated graceful shutdown; throws when a service failed or
    /// did not stop in time.
    public func run() async throws {
        let (events, continuation) = AsyncStream<Event>.makeStream()
        let signals = Self.installSignalHandlers { continuation.yield(.signal($0)) }
        defer { signals.forEach { $0.cancel() } }

        let tasks: [Task<Void, Never>] = services.enumerated().map { index, service in
            Task {
                do {
                    try await service.run()
                    continuation.yield(.finished(index, nil))
                } catch {
                    continuation.yield(.finished(index, String(describing: error)))
                }
            }
        }
        var finished = Set<Int>()
        var failure: (any Error)?
        for await event in events {
            switch event {
            case .signal(let number):
                logger.info("received signal, shutting down", ["signal": "\(number)"])
            case .finished(let index, let error):
                finished.insert(index)
                let name = services[index].name
                if let error {
                    logger.error("service failed", ["service.part": name, LogKey.error: error])
                    failure = ServiceFailed(service: name, underlying: error)
                } else {
                    logger.warning("service stopped on its own", ["service.part": name])
                    failure = ServiceFailed(service: name, underlying: "stopped unexpectedly")
                }
            }
            break
        }
        try await shutdown(tasks, alreadyFinished: finished)
        if let failure { throw failure }
    }

    private func shutdown(_ tasks: [Task<Void, Never>], alreadyFinished: Set<Int>) async throws {
        let deadline = ContinuousClock.now + shutdownTimeout
        for index in tasks.indices.reversed() {
            let task = tasks[index]
            task.cancel()
            if alreadyFinished.contains(index) { continue }
            guard await withDeadline(deadline, { await task.value }) != nil else {
                throw ShutdownTimeout(service: services[index].name)
            }
            logger.info("service stopped", ["service.part": services[index].name])
        }
    }

    private static func installSignalHandlers(_ handler: @escaping @Sendable (Int32) -> Void) -> [any DispatchSourceSignal] {
        [SIGTERM, SIGINT].map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { handler(number) }
            source.resume()
            return source
        }
    }
}

/// Runs `body`, returning nil if `deadline` passes first (the body's task is then cancelled).
public func withDeadline<T: Sendable>(_ deadline: ContinuousClock.Instant, _ body: @escaping @Sendable () async -> T) async -> T? {
    await withTaskGroup(of: T?.self) { group in
        group.addTask { await body() }
        group.addTask {
            try? await Task.sleep(until: deadline, clock: .continuous)
            return nil
        }
        let first = await group.next() ?? nil
        group.cancelAll()
        return first
    }
}
