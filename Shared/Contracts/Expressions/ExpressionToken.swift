/// One lexical unit of an expression, keeping its source text and 1-based column so that parse
/// errors can point at what the author wrote.
struct ExpressionToken: Equatable {
    enum Kind: Equatable {
        case string(String)
        case number(Double)
        /// `true`, `false` or a reference path; the parser tells them apart.
        case word(String)
        case and, or, not
        case comparison(ComparisonOperator)
        case leftParen, rightParen
        case end
    }

    let kind: Kind
    let text: String
    let column: Int

    /// The token as quoted in error messages; a string literal already carries its quotes.
    var quoted: String {
        switch kind {
        case .end: "the end of the expression"
        case .string: text
        default: "'\(text)'"
        }
    }
}

enum ComparisonOperator: String, Sendable, Equatable {
    case equal = "==", notEqual = "!=", less = "<", lessOrEqual = "<=", greater = ">", greaterOrEqual = ">="

    var isOrdering: Bool { self != .equal && self != .notEqual }
}

/// The one number syntax of the language, used both for literals and to decide whether a string
/// value counts as a number: an optional '-', digits, and an optional '.' followed by digits.
/// Deliberately narrower than `Double(_:)`, which would also read "nan", "inf" and hex floats.
enum NumberText {
    static func value<Scalars: Collection<Unicode.Scalar>>(_ scalars: Scalars) -> Double? {
        var rest = scalars[...]
        if rest.first == "-" { rest = rest.dropFirst() }
        let whole = rest.prefix(while: isDigit)
        guard !whole.isEmpty else { return nil }
        rest = rest.dropFirst(whole.count)
        if rest.first == "." {
            let fraction = rest.dropFirst().prefix(while: isDigit)
            guard !fraction.isEmpty else { return nil }
            rest = rest.dropFirst(fraction.count + 1)
        }
        guard rest.isEmpty, let number = Double(String(String.UnicodeScalarView(scalars))), number.isFinite else { return nil }
        return number
    }

    static func isDigit(_ scalar: Unicode.Scalar) -> Bool { ("0"..."9").contains(scalar) }
}
