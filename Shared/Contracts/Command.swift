/// What a task runs: a string for `/bin/sh -c`, or an argv array executed directly (no shell).
public enum Command: Codable, Sendable, Equatable {
    case shell(String)
    case argv([String])

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let text = try? container.decode(String.self) { self = .shell(text) } else {
            self = .argv(try container.decode([String].self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .shell(let text): try container.encode(text)
        case .argv(let arguments): try container.encode(arguments)
        }
    }

    /// The argv to execute: the shell form goes through `/bin/sh -c`.
    public var arguments: [String] {
        switch self {
        case .shell(let text): ["/bin/sh", "-c", text]
        case .argv(let arguments): arguments
        }
    }
}
