/// Splits expression text into tokens. Columns count Unicode scalars from 1.
struct ExpressionTokenizer {
    private let scalars: [Unicode.Scalar]
    private var index = 0

    private init(_ text: String) { scalars = Array(text.unicodeScalars) }

    /// All tokens of `text`, ending with a single `.end` token.
    static func tokens(of text: String) throws(ExpressionError) -> [ExpressionToken] {
        var tokenizer = ExpressionTokenizer(text)
        var tokens: [ExpressionToken] = []
        repeat { tokens.append(try tokenizer.next()) } while tokens.last?.kind != .end
        return tokens
    }

    private mutating func next() throws(ExpressionError) -> ExpressionToken {
        while index < scalars.count, scalars[index].properties.isWhitespace { index += 1 }
        guard index < scalars.count else { return ExpressionToken(kind: .end, text: "", column: index + 1) }
        let scalar = scalars[index]
        switch scalar {
        case "'", "\"": return try string()
        case "(": return take(1, .leftParen)
        case ")": return take(1, .rightParen)
        case "&": return try pair(.and, "'&' at column \(index + 1) must be '&&'")
        case "|": return try pair(.or, "'|' at column \(index + 1) must be '||'")
        case "=": return try pair(.comparison(.equal), "'=' at column \(index + 1) must be '==' to compare")
        case "!": return peek(1) == "=" ? take(2, .comparison(.notEqual)) : take(1, .not)
        case "<": return peek(1) == "=" ? take(2, .comparison(.lessOrEqual)) : take(1, .comparison(.less))
        case ">": return peek(1) == "=" ? take(2, .comparison(.greaterOrEqual)) : take(1, .comparison(.greater))
        case "-", "0"..."9": return try number()
        default:
            guard scalar == "_" || (scalar.isASCII && scalar.properties.isAlphabetic) else {
                throw ExpressionError("unexpected character '\(scalar)' at column \(index + 1)")
            }
            let start = index
            let text = run(while: Self.isWordScalar)
            return ExpressionToken(kind: .word(text), text: text, column: start + 1)
        }
    }

    // MARK: - Token shapes

    /// A quoted string; only `\\`, `\'` and `\"` are escapes, so a Windows path needs doubled backslashes.
    private mutating func string() throws(ExpressionError) -> ExpressionToken {
        let start = index
        let quote = scalars[index]
        var value = String.UnicodeScalarView()
        index += 1
        while index < scalars.count, scalars[index] != quote {
            if scalars[index] == "\\" {
                guard let escaped = peek(1) else { break }
                guard escaped == "\\" || escaped == "'" || escaped == "\"" else {
                    throw ExpressionError("unknown escape '\\\(escaped)' at column \(index + 1); only \\\\, \\' and \\\" are escapes")
                }
                value.append(escaped)
                index += 2
            } else {
                value.append(scalars[index])
                index += 1
            }
        }
        guard index < scalars.count else {
            throw ExpressionError("the string starting at column \(start + 1) is never closed with \(quote)")
        }
        index += 1
        return ExpressionToken(kind: .string(String(value)), text: source(from: start), column: start + 1)
    }

    private mutating func number() throws(ExpressionError) -> ExpressionToken {
        let start = index
        index += 1
        let text = String(scalars[start]) + run { Self.isWordScalar($0) }
        guard let value = NumberText.value(text.unicodeScalars) else {
            throw ExpressionError("'\(text)' at column \(start + 1) is not a number: write digits, optionally with a leading '-' and a '.' fraction")
        }
        return ExpressionToken(kind: .number(value), text: text, column: start + 1)
    }

    /// A two-character operator whose single character means nothing in this language.
    private mutating func pair(_ kind: ExpressionToken.Kind, _ message: String) throws(ExpressionError) -> ExpressionToken {
        guard peek(1) == scalars[index] else { throw ExpressionError(message) }
        return take(2, kind)
    }

    // MARK: - Scanning

    private mutating func take(_ count: Int, _ kind: ExpressionToken.Kind) -> ExpressionToken {
        let start = index
        index += count
        return ExpressionToken(kind: kind, text: source(from: start), column: start + 1)
    }

    private mutating func run(while accepts: (Unicode.Scalar) -> Bool) -> String {
        let start = index
        while index < scalars.count, accepts(scalars[index]) { index += 1 }
        return source(from: start)
    }

    private func peek(_ offset: Int) -> Unicode.Scalar? {
        index + offset < scalars.count ? scalars[index + offset] : nil
    }

    private func source(from start: Int) -> String {
        String(String.UnicodeScalarView(scalars[start..<index]))
    }

    /// Letters, digits, '_', '-' and '.': everything a reference path may contain, so that a
    /// malformed path is reported whole rather than as a confusing run of smaller tokens.
    private static func isWordScalar(_ scalar: Unicode.Scalar) -> Bool {
        scalar.isASCIIAlphanumeric || scalar == "_" || scalar == "-" || scalar == "."
    }
}
