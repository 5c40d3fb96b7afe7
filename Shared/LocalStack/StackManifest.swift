import Foundation

/// `<root>/stack.json`: how to reach a running stack. Written by `up`, read by the CLI (and by
/// anything else that wants the endpoints without knowing the port map).
public struct StackManifest: Codable, Sendable, Equatable {
    /// Component name → base URL (`"trigger-service": "http://127.0.0.1:7401"`).
    public var endpoints: [String: String]
    /// Kafka bootstrap address (`127.0.0.1:19092`).
    public var kafka: String
    /// libpq connection string of the stack's database.
    public var database: String

    public init(endpoints: [String: String], kafka: String, database: String) {
        self.endpoints = endpoints
        self.kafka = kafka
        self.database = database
    }

    /// Reads a manifest; nil when the file does not exist (no stack was started there).
    public static func load(from file: URL) throws -> StackManifest? {
        guard let bytes = SmallFile.read(file.path) else { return nil }
        do {
            return try JSONDecoder().decode(StackManifest.self, from: Data(bytes))
        } catch {
            throw StackError(.configuration, "\(file.path) is not a valid stack manifest: \(error)")
        }
    }

    func write(to file: URL) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let data = try encoder.encode(self)
        try SmallFile.write(String(decoding: data, as: UTF8.self) + "\n", to: file.path)
    }
}
