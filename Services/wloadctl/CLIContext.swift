import Foundation
import LocalStack

/// Where the CLI finds the stack and who it acts as: `WLOADCTL_HOME` (default `./.wloadctl`),
/// `WLOADCTL_TOKEN` (default `<home>/admin.token`), tenant from `--tenant`, `WLOADCTL_TENANT`
/// or `default`.
///
/// The stack's `admin.token` is a platform credential, which must name its tenant, so the CLI
/// always sends one for it (`default` unless told otherwise). A `WLOADCTL_TOKEN` may be a tenant
/// credential, which acts for its own tenant: for it the CLI names a tenant only when asked to.
struct CLIContext {
    let home: URL
    let tenant: String
    /// `--tenant` or `WLOADCTL_TENANT`, when given.
    let explicitTenant: String?
    let environment: [String: String]

    init(tenant flag: String?, environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.environment = environment
        let cwd = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
        if let home = environment["WLOADCTL_HOME"], !home.isEmpty {
            self.home = URL(fileURLWithPath: home, relativeTo: cwd).standardizedFileURL
        } else {
            self.home = cwd.appendingPathComponent(".wloadctl")
        }
        explicitTenant = flag ?? environment["WLOADCTL_TENANT"].flatMap { $0.isEmpty ? nil : $0 }
        tenant = explicitTenant ?? "default"
    }

    /// The stack's endpoints, or an error that says how to start it.
    func manifest() throws -> StackManifest {
        let file = home.appendingPathComponent("stack.json")
        guard let manifest = try StackManifest.load(from: file) else {
            throw CLIError("no running stack found (\(file.path) is missing); start one with `make up` or `wloadctl stack up`")
        }
        return manifest
    }

    /// True when the credential is `WLOADCTL_TOKEN` rather than the stack's platform admin token.
    var usesOwnToken: Bool { !(environment["WLOADCTL_TOKEN"] ?? "").isEmpty }

    func token() throws -> String {
        if let token = environment["WLOADCTL_TOKEN"], !token.isEmpty { return token }
        let file = home.appendingPathComponent("admin.token")
        guard let token = AdminToken.load(from: file) else {
            throw CLIError("no credential: set WLOADCTL_TOKEN or start the local stack (it writes \(file.path))")
        }
        return token
    }

    func api() throws -> APIClient {
        APIClient(manifest: try manifest(), token: try token(), tenant: usesOwnToken ? explicitTenant : tenant)
    }

    /// The local stack's configuration: this home, binaries from WL_BIN_DIR, the directory of this
    /// executable when the services were built beside it, else .build/release or .build/debug.
    func localStack() -> Stack {
        let repository = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
        var binDirectory = StackConfiguration.binDirectory(repository: repository, preferRelease: true, environment: environment)
        if environment["WL_BIN_DIR"].map({ $0.isEmpty }) ?? true, let own = Self.ownDirectory(),
           StackConfiguration.holdsServices(own) {
            binDirectory = own
        }
        var configuration = StackConfiguration.local(root: home, binDirectory: binDirectory)
        if let level = environment["WL_LOG_LEVEL"], !level.isEmpty { configuration.logLevel = level }
        return Stack(configuration)
    }

    private static func ownDirectory() -> URL? {
        guard let path = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") else { return nil }
        return URL(fileURLWithPath: path).deletingLastPathComponent()
    }
}
