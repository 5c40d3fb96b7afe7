/// Text with `{{ reference }}` placeholders, as in task commands, environment values and working
/// directories: `--region={{ params.region }}`.
///
/// `\{{` is a literal `{{` (for Go templates such as `docker inspect --format '\{{.State}}'`);
/// every other `{{` opens a placeholder. A `}}` outside a placeholder is ordinary text.
public struct Template: Sendable, Equatable {
    enum Segment: Sendable, Equatable {
        case literal(String)
        case reference(Reference)
    }

    let segments: [Segment]

    /// Parses `text`, failing on an unclosed `{{`, an empty `{{ }}` or an invalid reference.
    public static func parse(_ text: String) throws(ExpressionError) -> Template {
        let scalars = Array(text.unicodeScalars)
        var segments: [Segment] = []
        var literal = String.UnicodeScalarView()
        var index = 0
        while index < scalars.count {
            guard let open = find("{", in: scalars, from: index) else {
                literal.append(contentsOf: scalars[index...])
                break
            }
            if open > index, scalars[open - 1] == "\\" {
                literal.append(contentsOf: scalars[index..<open - 1])
                literal.append(contentsOf: "{{".unicodeScalars)
                index = open + 2
                continue
            }
            literal.append(contentsOf: scalars[index..<open])
            guard let close = find("}", in: scalars, from: open + 2) else {
                throw ExpressionError("the '{{' at column \(open + 1) is never closed with '}}'")
            }
            let placeholder = String(String.UnicodeScalarView(scalars[open..<close + 2]))
            let path = trimmed(scalars[open + 2..<close])
            guard !path.isEmpty else {
                throw ExpressionError("the placeholder '\(placeholder)' at column \(open + 1) is empty; put a reference such as params.name inside")
            }
            let reference: Reference
            do {
                reference = try Reference.parse(path)
            } catch {
                throw ExpressionError("placeholder '\(placeholder)' at column \(open + 1): \(error.message)")
            }
            if !literal.isEmpty { segments.append(.literal(String(literal))) }
            literal = String.UnicodeScalarView()
            segments.append(.reference(reference))
            index = close + 2
        }
        if !literal.isEmpty || segments.isEmpty { segments.append(.literal(String(literal))) }
        return Template(segments: segments)
    }

    /// Every reference the template mentions, for checking them when the workflow is applied.
    public var references: Set<Reference> {
        Set(segments.compactMap { if case .reference(let reference) = $0 { reference } else { nil } })
    }

    /// True when there are no placeholders, so the text can be used as is.
    public var isLiteral: Bool { references.isEmpty }

    /// Substitutes every placeholder; a reference with no value is an error, never an empty string,
    /// so a missing value cannot silently change a command.
    public func render(_ lookup: ValueLookup) throws(ExpressionError) -> String {
        var result = ""
        for segment in segments {
            switch segment {
            case .literal(let text): result += text
            case .reference(let reference):
                guard let value = lookup(reference) else { throw ExpressionError(reference.unavailableMessage) }
                result += value
            }
        }
        return result
    }

    /// Parses and renders in one step, for text used once.
    public static func render(_ text: String, _ lookup: ValueLookup) throws(ExpressionError) -> String {
        try parse(text).render(lookup)
    }

    private static func trimmed(_ scalars: ArraySlice<Unicode.Scalar>) -> String {
        let start = scalars.drop { $0.properties.isWhitespace }
        let end = start.reversed().drop { $0.properties.isWhitespace }.count
        return String(String.UnicodeScalarView(start.prefix(end)))
    }

    /// The index of the first doubled `brace` (`{{` or `}}`) at or after `start`.
    private static func find(_ brace: Unicode.Scalar, in scalars: [Unicode.Scalar], from start: Int) -> Int? {
        guard start + 1 < scalars.count else { return nil }
        return (start..<scalars.count - 1).first { scalars[$0] == brace && scalars[$0 + 1] == brace }
    }
}
