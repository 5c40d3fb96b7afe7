import Foundation
import Sodium

/// The dispatcher's Ed25519 key pair for a stack (or for `wloadctl dispatch-keys`), in the file
/// format `ServiceKit.DispatchSigning` reads: hex text of the 64-byte secret key (mode 0600) and
/// of the 32-byte public key. LocalStack writes it with Sodium directly rather than depending on
/// ServiceKit (and so on libpq, librdkafka and libmicrohttpd); the integration tests sign and
/// verify with these files through ServiceKit, which keeps the two formats the same.
public enum DispatchKeys {
    /// Creates the pair unless the secret key exists; an existing pair is kept, so agents
    /// configured with its public key keep accepting the dispatcher's orders.
    public static func ensure(secret: URL, public publicKey: URL) throws {
        guard !FileManager.default.fileExists(atPath: secret.path) else { return }
        let pair = Sodium.ed25519KeyPair()
        let manager = FileManager.default
        guard manager.createFile(atPath: publicKey.path, contents: Data((Sodium.hex(pair.publicKey) + "\n").utf8),
                                 attributes: [.posixPermissions: 0o644]),
              manager.createFile(atPath: secret.path, contents: Data((Sodium.hex(pair.secretKey) + "\n").utf8),
                                 attributes: [.posixPermissions: 0o600])
        else {
            throw StackError(.configuration, "cannot write the dispatch key pair to \(secret.path) and \(publicKey.path)")
        }
    }
}

extension Stack {
    /// The dispatcher's signing key (`WL_DISPATCH_SIGNING_KEY_FILE`), created by the first `up`.
    public var dispatchSigningKeyFile: URL { layout.dispatchSigningKey }
    /// The public key agents check orders with (`WL_DISPATCH_PUBLIC_KEY_FILE`).
    public var dispatchPublicKeyFile: URL { layout.dispatchPublicKey }
}
