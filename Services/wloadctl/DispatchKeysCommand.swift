import Foundation
import LocalStack

/// `wloadctl dispatch-keys DIR`: the dispatcher's signing key pair for a deployment, made
/// locally (no stack needed) in the format the services read. An existing pair is kept, so
/// running it again never invalidates the public key the agents were given.
enum DispatchKeysCommand {
    static func run(_ words: [String]) throws(CLIError) -> Int32 {
        let arguments = try Arguments(words, options: [], usage: Usage.dispatchKeys)
        guard arguments.positionals.count == 1, let directory = arguments.positionals.first else {
            throw .usage("dispatch-keys takes one directory", Usage.dispatchKeys)
        }
        let folder = URL(fileURLWithPath: directory)
        let secret = folder.appendingPathComponent("dispatch.key")
        let publicKey = folder.appendingPathComponent("dispatch.pub")
        let existed = FileManager.default.fileExists(atPath: secret.path)
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            try DispatchKeys.ensure(secret: secret, public: publicKey)
        } catch {
            throw CLIError("cannot create the dispatch key pair in \(directory): \(error)")
        }
        Output.line("\(existed ? "kept" : "created") \(secret.path) (WL_DISPATCH_SIGNING_KEY_FILE, dispatchers only, mode 0600)")
        Output.line("\(existed ? "kept" : "created") \(publicKey.path) (WL_DISPATCH_PUBLIC_KEY_FILE, every agent)")
        return ExitCode.success
    }
}
