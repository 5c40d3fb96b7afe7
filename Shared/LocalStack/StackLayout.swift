import Foundation

/// The files a stack keeps under its root: everything a later `up`, `down` or `status` (possibly
/// from another process) needs to find what runs, since a stack holds no state in memory.
struct StackLayout: Sendable {
    let root: URL

    var runDirectory: URL { root.appendingPathComponent("run") }
    var logDirectory: URL { root.appendingPathComponent("log") }
    var agentsDirectory: URL { root.appendingPathComponent("agents") }
    var adminToken: URL { root.appendingPathComponent("admin.token") }
    var manifest: URL { root.appendingPathComponent("stack.json") }
    var brokerAddress: URL { runDirectory.appendingPathComponent("dev-broker.address") }
    /// The dispatcher's Ed25519 signing key and the public key agents verify orders with.
    var dispatchSigningKey: URL { root.appendingPathComponent("dispatch.key") }
    var dispatchPublicKey: URL { root.appendingPathComponent("dispatch.pub") }

    func pidFile(_ name: String) -> URL { runDirectory.appendingPathComponent("\(name).pid") }
    func logFile(_ name: String) -> URL { logDirectory.appendingPathComponent("\(name).log") }
    func agentDirectory(_ name: String) -> URL { agentsDirectory.appendingPathComponent(name) }

    /// Makes `log/<name>.log` point at a log written elsewhere (Postgres writes its own, as the
    /// postgres user, beside its data), so every log of the stack is found in one place.
    func linkLog(_ name: String, to target: URL) {
        let link = logFile(name).path
        guard (try? FileManager.default.destinationOfSymbolicLink(atPath: link)) != target.path else { return }
        try? FileManager.default.removeItem(atPath: link)
        try? FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: target.path)
    }

    func createDirectories(agents: [String]) throws {
        let manager = FileManager.default
        for directory in [root, runDirectory, logDirectory, agentsDirectory] + agents.map(agentDirectory) {
            do {
                try manager.createDirectory(at: directory, withIntermediateDirectories: true)
            } catch {
                throw StackError(.configuration, "cannot create \(directory.path): \(error.localizedDescription)")
            }
        }
    }

    /// The pid recorded for `name`, if any.
    func pid(_ name: String) -> Int32? {
        SmallFile.readText(pidFile(name).path).flatMap { Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
    }

    func writePID(_ pid: Int32, for name: String) throws {
        try SmallFile.write("\(pid)\n", to: pidFile(name).path)
    }

    func removePID(_ name: String) {
        SmallFile.remove(pidFile(name).path)
    }
}
