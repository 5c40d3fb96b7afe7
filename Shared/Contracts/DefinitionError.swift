/// Why a definition was rejected, phrased for the person who wrote it.
public struct DefinitionError: Error, Sendable, Equatable, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
