/// Why a condition or template was rejected or could not be evaluated, phrased for the workflow
/// author: it names the offending text and, for expressions, the column where it starts.
public struct ExpressionError: Error, Sendable, Equatable, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
