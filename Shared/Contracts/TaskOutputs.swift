/// Why a task's `$WL_OUTPUT` file was rejected. The description names the offending line, since
/// it ends up in the attempt's `reason` and is all the task's author gets to see.
public struct TaskOutputError: Error, Equatable, Sendable, CustomStringConvertible {
    public let description: String

    public init(_ description: String) { self.description = description }
}

/// The `key=value` lines a task writes to `$WL_OUTPUT`, which become its `outputs` for downstream
/// tasks. Pure, so the agent and the tests agree on exactly one reading of the format.
public enum TaskOutputs {
    /// Parses the file's bytes: UTF-8 lines, blank lines and lines starting with `#` ignored, the
    /// key before the first `=` (a valid parameter name, not trimmed: a stray space is a mistake
    /// worth reporting), the value everything after it but a trailing `\r`; a later duplicate key
    /// wins. Rejects files over `DefinitionLimits.maxOutputBytes` or with more than
    /// `DefinitionLimits.maxOutputKeys` keys.
    public static func parse(_ bytes: [UInt8]) throws(TaskOutputError) -> [String: String] {
        guard bytes.count <= DefinitionLimits.maxOutputBytes else {
            throw TaskOutputError("\(bytes.count) bytes, more than the \(DefinitionLimits.maxOutputBytes) allowed")
        }
        var outputs: [String: String] = [:]
        for (index, line) in bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).enumerated() {
            let number = index + 1
            guard let (key, value) = try pair(in: line, number: number) else { continue }
            outputs[key] = value
            guard outputs.count <= DefinitionLimits.maxOutputKeys else {
                throw TaskOutputError("line \(number): more than \(DefinitionLimits.maxOutputKeys) keys")
            }
        }
        return outputs
    }

    /// The key and value of one line, or nil for a line to ignore.
    private static func pair(in raw: ArraySlice<UInt8>, number: Int) throws(TaskOutputError) -> (String, String)? {
        let bytes = raw.last == UInt8(ascii: "\r") ? raw.dropLast() : raw
        guard let line = String(validating: bytes, as: UTF8.self) else {
            throw TaskOutputError("line \(number): not valid UTF-8")
        }
        if line.allSatisfy(\.isWhitespace) || line.hasPrefix("#") { return nil }
        guard let equals = line.firstIndex(of: "=") else {
            throw TaskOutputError("line \(number): expected key=value, got '\(excerpt(line))'")
        }
        let key = String(line[..<equals])
        guard ParameterNames.isValid(key) else {
            throw TaskOutputError("line \(number): '\(excerpt(key))' is not a valid key (letters, digits and '_', up to 64)")
        }
        return (key, String(line[line.index(after: equals)...]))
    }

    /// Enough of a bad line to recognise it, without echoing 64 KiB into a status message.
    private static func excerpt(_ text: String) -> String {
        text.count <= 40 ? text : text.prefix(40) + "…"
    }
}
