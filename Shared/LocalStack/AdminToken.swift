import Foundation

/// The local stack's platform-admin credential: generated once, kept in `<root>/admin.token`
/// (mode 0600) so the CLI can read it, and handed to trigger-service, which registers it.
public enum AdminToken {
    /// The token stored at `file`, creating it on first use: `wl_` + 32 random bytes in hex.
    public static func loadOrCreate(at file: URL) throws -> String {
        if let existing = load(from: file) { return existing }
        // SystemRandomNumberGenerator reads the kernel CSPRNG (getrandom) on Linux.
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let token = "wl_" + bytes.map { byte in
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined()
        try SmallFile.write(token + "\n", to: file.path, mode: 0o600)
        return token
    }

    /// The stored token, or nil when there is none yet.
    public static func load(from file: URL) -> String? {
        guard let text = SmallFile.readText(file.path) else { return nil }
        let token = text.trimmingCharacters(in: .whitespacesAndNewlines)
        return token.isEmpty ? nil : token
    }
}
