import Foundation

/// A throwaway Postgres cluster run from Debian's binaries under a project folder: the embedded
/// default for `make demo/up/test`. Production points services at a real server instead.
public struct PostgresCluster: Sendable {
    public let directory: URL
    public let port: Int

    public init(directory: URL, port: Int) {
        self.directory = directory
        self.port = port
    }

    public var dataDirectory: URL { directory.appendingPathComponent("data") }
    public var socketDirectory: URL { directory.appendingPathComponent("sock") }
    public var logFile: URL { directory.appendingPathComponent("postgres.log") }

    /// libpq connection string for `database` over loopback TCP.
    public func connectionString(database: String) -> String {
        "host=127.0.0.1 port=\(port) user=postgres dbname=\(database) connect_timeout=5"
    }

    public var isRunning: Bool {
        (try? ProcessRunner.run(ProcessRunner.asUser("postgres", [Self.binary("pg_ctl"), "status", "-D", dataDirectory.path]))) != nil
    }

    /// Creates the cluster on first use and starts it; returns at once when it already runs.
    /// Serialised by a lock file, so test stacks and test suites starting the shared cluster at
    /// the same moment (threads or processes) never race; initdb writes to a scratch directory
    /// renamed into place, so a half-initialised cluster is never visible.
    public func start() throws {
        try prepareDirectories()
        try withLock {
            if !FileManager.default.fileExists(atPath: dataDirectory.appendingPathComponent("PG_VERSION").path) {
                try initialise()
            }
            if isRunning { return }
            try launch()
        }
    }

    private func initialise() throws {
        let scratch = directory.appendingPathComponent("data.initdb")
        try? FileManager.default.removeItem(at: scratch)
        try? FileManager.default.removeItem(at: dataDirectory)
        try ProcessRunner.run(ProcessRunner.asUser("postgres", [
            Self.binary("initdb"), "-D", scratch.path, "-U", "postgres", "--auth=trust",
            "--encoding=UTF8", "--locale=C.UTF-8",
        ]))
        try FileManager.default.moveItem(at: scratch, to: dataDirectory)
    }

    private func launch() throws {
        let options = [
            "-c listen_addresses=127.0.0.1", "-c port=\(port)",
            "-c unix_socket_directories=\(socketDirectory.path)",
            "-c max_connections=300", "-c shared_buffers=256MB",
            "-c max_locks_per_transaction=256",
            // The platform's hot tables churn (see Schema.hotTableVacuum): look for work every
            // 5 s rather than every minute, so dead index entries do not pile up between vacuums.
            "-c autovacuum_naptime=5s",
        ].joined(separator: " ")
        try ProcessRunner.run(ProcessRunner.asUser("postgres", [
            Self.binary("pg_ctl"), "start", "-w", "-t", "60", "-D", dataDirectory.path,
            "-l", logFile.path, "-o", options,
        ]))
    }

    /// Fast shutdown: disconnects clients, then stops; a no-op when not running.
    public func stop() throws {
        guard FileManager.default.fileExists(atPath: directory.path) else { return }
        try withLock {
            guard isRunning else { return }
            try ProcessRunner.run(ProcessRunner.asUser("postgres", [
                Self.binary("pg_ctl"), "stop", "-w", "-t", "60", "-m", "fast", "-D", dataDirectory.path,
            ]))
        }
    }

    /// Holds an exclusive `flock` on `<directory>/cluster.lock` while `body` runs.
    private func withLock<T>(_ body: () throws -> T) throws -> T {
        let path = directory.appendingPathComponent("cluster.lock").path
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw CommandError(command: "open \(path)", status: errno, output: String(cString: strerror(errno)))
        }
        defer { close(descriptor) }
        while flock(descriptor, LOCK_EX) != 0 {
            guard errno == EINTR else {
                throw CommandError(command: "flock \(path)", status: errno, output: String(cString: strerror(errno)))
            }
        }
        defer { flock(descriptor, LOCK_UN) }
        return try body()
    }

    /// Creates `name` unless it exists.
    public func createDatabase(_ name: String) throws {
        let exists = try ProcessRunner.run(psql(["-tAc", "SELECT 1 FROM pg_database WHERE datname = '\(name)'"]))
        if exists.trimmingCharacters(in: .whitespacesAndNewlines) == "1" { return }
        try ProcessRunner.run(psql(["-c", "CREATE DATABASE \"\(name)\""]))
    }

    public func dropDatabase(_ name: String) throws {
        try ProcessRunner.run(psql(["-c", "DROP DATABASE IF EXISTS \"\(name)\" WITH (FORCE)"]))
    }

    private func psql(_ arguments: [String]) -> [String] {
        [Self.binary("psql"), "-X", "-q", "-h", "127.0.0.1", "-p", "\(port)", "-U", "postgres", "-d", "postgres"] + arguments
    }

    private func prepareDirectories() throws {
        let manager = FileManager.default
        try manager.createDirectory(at: directory, withIntermediateDirectories: true)
        try manager.createDirectory(at: socketDirectory, withIntermediateDirectories: true)
        // Not recursive: initdb creates the data directory as postgres, and walking it while the
        // server creates and drops databases races with those changes.
        if ProcessRunner.isRoot {
            try ProcessRunner.run(["chown", "postgres:postgres", directory.path, socketDirectory.path])
        }
    }

    /// The newest Debian Postgres binaries (`/usr/lib/postgresql/<major>/bin`).
    static func binary(_ name: String) -> String {
        let root = "/usr/lib/postgresql"
        let majors = (try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []
        let newest = majors.compactMap(Int.init).max().map(String.init) ?? "15"
        return "\(root)/\(newest)/bin/\(name)"
    }
}
