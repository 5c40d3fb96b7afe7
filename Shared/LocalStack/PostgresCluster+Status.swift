import Foundation

extension PostgresCluster {
    /// The postmaster's pid from `pg_ctl status`, or nil when the server is not running.
    public var serverPID: Int32? {
        guard let output = try? ProcessRunner.run(ProcessRunner.asUser("postgres", [
            Self.binary("pg_ctl"), "status", "-D", dataDirectory.path,
        ])) else { return nil }
        guard let range = output.range(of: "PID: ") else { return nil }
        return Int32(output[range.upperBound...].prefix { $0.isNumber })
    }

    /// Names of the databases starting with `prefix` (to clean up after crashed test stacks).
    public func databases(prefix: String) throws -> [String] {
        let escaped = prefix.replacingOccurrences(of: "'", with: "''")
            .replacingOccurrences(of: "_", with: "\\_")
        let output = try ProcessRunner.run([
            Self.binary("psql"), "-X", "-q", "-h", "127.0.0.1", "-p", "\(port)", "-U", "postgres", "-d", "postgres",
            "-tAc", "SELECT datname FROM pg_database WHERE datname LIKE '\(escaped)%'",
        ])
        return output.split(separator: "\n").map { String($0).trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }
}
