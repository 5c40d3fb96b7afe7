/// Which agents may run a task, by their labels. The syntax is Kubernetes' label selectors, which
/// operators already know: comma-separated requirements that must all hold.
///
///     os=linux                  label equals value (`==` works too)
///     region!=us-east           label differs from value, or is absent
///     region in (eu-west, eu-central)
///     tier notin (spot)         label absent or not one of the values
///     gpu                       label present, any value
///     !spot                     label absent
///
/// Keys and values are 1–63 of `[A-Za-z0-9._/:-]`.
public struct LabelSelector: Sendable, Equatable, CustomStringConvertible {
    public enum Requirement: Sendable, Equatable {
        case equals(String, String)
        case notEquals(String, String)
        case `in`(String, Set<String>)
        case notIn(String, Set<String>)
        case exists(String)
        case absent(String)
    }

    public struct ParseError: Error, Equatable, CustomStringConvertible {
        public let description: String
    }

    public let requirements: [Requirement]
    public let description: String

    /// The selector matching every agent.
    public static let any = LabelSelector(requirements: [], description: "")

    private init(requirements: [Requirement], description: String) {
        self.requirements = requirements
        self.description = description
    }

    public init(parsing text: String) throws(ParseError) {
        var requirements: [Requirement] = []
        for part in try Self.split(text) {
            requirements.append(try Self.requirement(part))
        }
        self.init(requirements: requirements, description: text.trimmingSpaces)
    }

    public func matches(_ labels: [String: String]) -> Bool {
        requirements.allSatisfy { requirement in
            switch requirement {
            case .equals(let key, let value): labels[key] == value
            case .notEquals(let key, let value): labels[key] != value
            case .in(let key, let values): labels[key].map(values.contains) ?? false
            case .notIn(let key, let values): !(labels[key].map(values.contains) ?? false)
            case .exists(let key): labels[key] != nil
            case .absent(let key): labels[key] == nil
            }
        }
    }

    /// Splits at commas outside parentheses; an empty text is no requirement at all.
    private static func split(_ text: String) throws(ParseError) -> [String] {
        var parts: [String] = []
        var current = ""
        var depth = 0
        for character in text {
            switch character {
            case "(": depth += 1
            case ")":
                depth -= 1
                guard depth >= 0 else { throw ParseError(description: "unbalanced ')' in selector '\(text)'") }
            case "," where depth == 0:
                parts.append(current)
                current = ""
                continue
            default: break
            }
            current.append(character)
        }
        guard depth == 0 else { throw ParseError(description: "unclosed '(' in selector '\(text)'") }
        parts.append(current)
        if parts.count == 1, parts[0].trimmingSpaces.isEmpty { return [] }
        return parts
    }

    private static func requirement(_ raw: String) throws(ParseError) -> Requirement {
        let text = raw.trimmingSpaces
        guard !text.isEmpty else { throw ParseError(description: "empty requirement in selector") }
        if text.hasPrefix("!"), !text.hasPrefix("!=") {
            return .absent(try name(String(text.dropFirst()).trimmingSpaces, in: text))
        }
        for (symbol, make) in [("!=", Requirement.notEquals), ("==", Requirement.equals), ("=", Requirement.equals)] {
            if let range = text.range(of: symbol) {
                let key = try name(String(text[..<range.lowerBound]).trimmingSpaces, in: text)
                let value = try name(String(text[range.upperBound...]).trimmingSpaces, in: text)
                return make(key, value)
            }
        }
        let words = text.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: true).map(String.init)
        if words.count == 1 { return .exists(try name(words[0], in: text)) }
        guard words.count == 3, ["in", "notin"].contains(words[1]) else {
            throw ParseError(description: "cannot read requirement '\(text)': expected key=value, key!=value, key in (a,b), key notin (a,b), key or !key")
        }
        let key = try name(words[0], in: text)
        let list = words[2].trimmingSpaces
        guard list.hasPrefix("("), list.hasSuffix(")"), list.count >= 2 else {
            throw ParseError(description: "the values of '\(text)' must be in parentheses: \(key) \(words[1]) (a, b)")
        }
        var values = Set<String>()
        for value in list.dropFirst().dropLast().split(separator: ",", omittingEmptySubsequences: false) {
            values.insert(try name(String(value).trimmingSpaces, in: text))
        }
        return words[1] == "in" ? .in(key, values) : .notIn(key, values)
    }

    /// Whether `text` can be a label key or value: 1–63 of `[A-Za-z0-9._/:-]`. Agents check the
    /// labels they declare with it, so every declared label can be selected.
    public static func isName(_ text: String) -> Bool {
        !text.isEmpty && text.utf8.count <= 63 && text.unicodeScalars.allSatisfy(isNameCharacter)
    }

    private static func name(_ text: String, in requirement: String) throws(ParseError) -> String {
        guard isName(text) else {
            throw ParseError(description: "'\(text)' in '\(requirement)' is not a label key or value (1-63 of A-Z a-z 0-9 . _ / : -)")
        }
        return text
    }

    private static func isNameCharacter(_ scalar: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar)
            || [".", "_", "/", ":", "-"].contains(scalar)
    }
}

extension String {
    var trimmingSpaces: String {
        var slice = Substring(self)
        while slice.first?.isWhitespace == true { slice = slice.dropFirst() }
        while slice.last?.isWhitespace == true { slice = slice.dropLast() }
        return String(slice)
    }
}
