import Foundation
import Sodium

/// The webhook trigger signature: `X-WL-Signature: sha256=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>`
/// with `X-WL-Timestamp: <unix seconds>`. Signing the timestamp with the body lets the receiver
/// reject stale requests; the signature is the run's idempotency key, so a replay starts nothing.
enum WebhookSignature {
    enum Failure: Error, Equatable, CustomStringConvertible {
        case missingHeaders
        case badTimestamp
        case stale(skew: Int)
        case mismatch

        var description: String {
            switch self {
            case .missingHeaders: "missing X-WL-Timestamp or X-WL-Signature header"
            case .badTimestamp: "X-WL-Timestamp must be unix seconds"
            case .stale(let skew): "timestamp is \(skew)s away from the server clock (outside the replay window)"
            case .mismatch: "signature does not match"
            }
        }
    }

    static func sign(secret: String, timestamp: Int, body: [UInt8]) -> String {
        "sha256=" + Sodium.hex(Sodium.hmacSHA256(key: Array(secret.utf8), message: Array("\(timestamp).".utf8) + body))
    }

    /// Checks the headers against the body; returns the normalised signature (the replay key).
    static func verify(secret: String, timestamp: String?, signature: String?, body: [UInt8], now: Date,
                       tolerance: TimeInterval) throws(Failure) -> String {
        guard let timestamp, let signature else { throw .missingHeaders }
        guard let seconds = Int(timestamp.trimmingCharacters(in: .whitespaces)) else { throw .badTimestamp }
        let skew = Int(now.timeIntervalSince1970) - seconds
        guard abs(skew) <= Int(tolerance) else { throw .stale(skew: skew) }
        let expected = sign(secret: secret, timestamp: seconds, body: body)
        let given = signature.trimmingCharacters(in: .whitespaces).lowercased()
        guard Sodium.constantTimeEqual(Array(expected.utf8), Array(given.utf8)) else { throw .mismatch }
        return expected
    }
}
