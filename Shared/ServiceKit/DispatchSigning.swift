import Contracts
import Foundation
import Sodium

/// Ed25519 signing of dispatch orders. The dispatcher holds the secret key; agents hold only the
/// public key and run nothing whose signature does not verify, so whoever can write to an agent's
/// topic still cannot make it run a command. Keys are files of hex text: the 64-byte secret key
/// (libsodium layout) for dispatchers, the 32-byte public key for agents.
public enum DispatchSigning {
    public struct KeyError: Error, CustomStringConvertible {
        public let description: String
        public init(description: String) { self.description = description }
    }

    /// The order did not verify or could not be read; the agent refuses it.
    public struct Refused: Error, CustomStringConvertible {
        public let description: String
        public init(description: String) { self.description = description }
    }

    /// Creates a key pair in `secretPath` (mode 0600) and `publicPath`, unless the secret exists.
    public static func ensureKeyPair(secretPath: String, publicPath: String) throws {
        guard !FileManager.default.fileExists(atPath: secretPath) else { return }
        let pair = Sodium.ed25519KeyPair()
        guard FileManager.default.createFile(atPath: secretPath, contents: Data((Sodium.hex(pair.secretKey) + "\n").utf8),
                                             attributes: [.posixPermissions: 0o600]),
              FileManager.default.createFile(atPath: publicPath, contents: Data((Sodium.hex(pair.publicKey) + "\n").utf8))
        else { throw KeyError(description: "cannot write the dispatch key pair to \(secretPath) and \(publicPath)") }
    }

    static func readKey(_ path: String, bytes: Int, what: String) throws -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw KeyError(description: "cannot read the \(what) at \(path)")
        }
        let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard let key = Sodium.bytes(hex: text), key.count == bytes else {
            throw KeyError(description: "\(path) does not hold a \(what) (\(bytes * 2) hex digits)")
        }
        return key
    }
}

/// Signs orders with the dispatcher's secret key.
public struct DispatchSigner: Sendable {
    private let secretKey: [UInt8]

    public init(secretKeyFile path: String) throws {
        secretKey = try DispatchSigning.readKey(path, bytes: 64, what: "dispatch signing key")
    }

    public func sign(_ order: some DispatchOrderBody) throws -> TaskDispatch {
        let (body, signature) = try signed(order)
        return TaskDispatch(order: body, signature: signature)
    }

    /// Several orders for one agent, tenant and session, under one signature.
    public func sign<Order: DispatchOrderBody>(_ orders: [Order]) throws -> TaskDispatches {
        let (body, signature) = try signed(orders)
        return TaskDispatches(orders: body, signature: signature)
    }

    /// The value's JSON text and the hex signature over its bytes.
    private func signed(_ value: some Encodable) throws -> (String, String) {
        let body = try WireCoding.encode(value)
        guard let signature = Sodium.ed25519Sign(body, secretKey: secretKey) else {
            throw DispatchSigning.KeyError(description: "the dispatch signing key is not an Ed25519 secret key")
        }
        return (String(decoding: body, as: UTF8.self), Sodium.hex(signature))
    }
}

/// Checks orders against the dispatcher's public key before anything in them is trusted.
public struct DispatchVerifier: Sendable {
    private let publicKey: [UInt8]

    public init(publicKeyFile path: String) throws {
        publicKey = try DispatchSigning.readKey(path, bytes: 32, what: "dispatch public key")
    }

    /// The order, if the signature over its exact bytes verifies.
    public func open(_ dispatch: TaskDispatch) throws(DispatchSigning.Refused) -> DispatchOrder {
        try verified(dispatch.order, signature: dispatch.signature, as: DispatchOrder.self)
    }

    /// The orders, if the signature over their exact bytes verifies.
    public func open(_ dispatches: TaskDispatches) throws(DispatchSigning.Refused) -> [DispatchOrder] {
        try verified(dispatches.orders, signature: dispatches.signature, as: [DispatchOrder].self)
    }

    private func verified<T: Decodable>(_ text: String, signature: String, as type: T.Type) throws(DispatchSigning.Refused) -> T {
        let body = Array(text.utf8)
        guard let signature = Sodium.bytes(hex: signature),
              Sodium.ed25519Verify(signature, of: body, publicKey: publicKey) else {
            throw DispatchSigning.Refused(description: "dispatch signature does not verify")
        }
        do { return try WireCoding.decode(type, from: body) } catch {
            throw DispatchSigning.Refused(description: "signed dispatch order is unreadable: \(error)")
        }
    }
}
