import Foundation

/// A missing or malformed configuration value. Services print it as one line and stop.
public struct ConfigError: Error, CustomStringConvertible, Sendable {
    public let key: String
    public let problem: String

    public init(key: String, problem: String) {
        self.key = key
        self.problem = problem
    }

    public var description: String { "configuration error: \(key) \(problem)" }
}

/// Typed access to environment variables, the one source of service configuration.
public struct Environment: Sendable {
    public let values: [String: String]

    public init(_ values: [String: String] = ProcessInfo.processInfo.environment) {
        self.values = values
    }

    public func string(_ key: String, default fallback: String) -> String {
        value(key) ?? fallback
    }

    public func optional(_ key: String) -> String? { value(key) }

    public func required(_ key: String) throws(ConfigError) -> String {
        guard let value = value(key) else { throw ConfigError(key: key, problem: "is required but not set") }
        return value
    }

    public func int(_ key: String, default fallback: Int, range: ClosedRange<Int> = Int.min...Int.max) throws(ConfigError) -> Int {
        guard let text = value(key) else { return fallback }
        guard let number = Int(text), range.contains(number) else {
            throw ConfigError(key: key, problem: "must be an integer in \(range.lowerBound)...\(range.upperBound), got '\(text)'")
        }
        return number
    }

    /// Seconds, fractional allowed (`0.25`).
    public func seconds(_ key: String, default fallback: Double) throws(ConfigError) -> Duration {
        guard let text = value(key) else { return .milliseconds(Int64(fallback * 1000)) }
        // At most ~31 years: a bigger number would overflow the milliseconds below.
        guard let number = Double(text), number >= 0, number <= 1e9 else {
            throw ConfigError(key: key, problem: "must be a non-negative number of seconds (at most 1e9), got '\(text)'")
        }
        return .milliseconds(Int64(number * 1000))
    }

    public func bool(_ key: String, default fallback: Bool) throws(ConfigError) -> Bool {
        guard let text = value(key) else { return fallback }
        switch text.lowercased() {
        case "1", "true", "yes", "on": return true
        case "0", "false", "no", "off": return false
        default: throw ConfigError(key: key, problem: "must be true or false, got '\(text)'")
        }
    }

    /// `key=value` pairs separated by `;` (e.g. librdkafka properties:
    /// `security.protocol=SSL;linger.ms=2`); whitespace around each pair is ignored. A pair
    /// without `=` or with an empty key is an error, not silently dropped.
    public func properties(_ key: String) throws(ConfigError) -> [String: String] {
        guard let text = value(key) else { return [:] }
        var result: [String: String] = [:]
        for pair in text.split(separator: ";") {
            let trimmed = pair.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty { continue }
            guard let equals = trimmed.firstIndex(of: "="), equals != trimmed.startIndex else {
                throw ConfigError(key: key, problem: "must be key=value pairs separated by ';', got '\(trimmed)'")
            }
            result[String(trimmed[..<equals]).trimmingCharacters(in: .whitespaces)] =
                String(trimmed[trimmed.index(after: equals)...]).trimmingCharacters(in: .whitespaces)
        }
        return result
    }

    public func logLevel(_ key: String = "WL_LOG_LEVEL") throws(ConfigError) -> Logger.Level {
        guard let text = value(key) else { return .info }
        guard let level = Logger.Level(name: text) else {
            throw ConfigError(key: key, problem: "must be debug, info, warning or error, got '\(text)'")
        }
        return level
    }

    private func value(_ key: String) -> String? {
        guard let value = values[key], !value.isEmpty else { return nil }
        return value
    }
}
