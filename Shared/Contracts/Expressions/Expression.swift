/// A workflow task condition such as `params.region == 'eu' && tasks.extract.outputs.rows > 0`.
///
/// Parsing happens when a workflow is applied, so syntax errors and bad references reach the
/// author early; ``references`` lets the caller check that every named task and parameter exists.
///
/// Syntax, loosest binding first: `||`, `&&`, unary `!`, comparisons (`==` `!=` `<` `<=` `>` `>=`,
/// which do not chain: `a < b < c` is an error), then parentheses, string literals in single or
/// double quotes (escapes `\\` `\'` `\"`), numbers (`3`, `-2.5`), `true`, `false` and references.
/// At most 4096 bytes and 64 levels of `(` and `!`.
///
/// Semantics:
/// - A reference yields its string; one with no value is an error ("params.x is not set",
///   "task 'a' wrote no output 'k'"). `&&` and `||` short-circuit, so
///   `false && tasks.a.outputs.k == 1` never reads the output.
/// - A string counts as a number when written like a number literal (optional `-`, digits,
///   optional `.digits`; no spaces, exponents or `+`).
/// - Comparison: when both sides are numbers (a number literal, or a string that counts as one)
///   they compare numerically, so `'10' > '9'` and `'1.0' == 1` are true. A number literal against
///   a non-numeric string is never equal (`==` false, `!=` true) and cannot be ordered (error).
///   Otherwise strings compare exactly, ordered by Unicode scalar values.
/// - A boolean (`true`, `false`, a comparison's result) compares with `==`/`!=` only, and only
///   against a boolean or the string "true"/"false" in any case; anything else is an error.
/// - Operands of `&&`, `||`, `!` and the whole expression must be booleans or the strings
///   "true"/"false" (any case); anything else, such as 'abc', is an error.
public struct Expression: Sendable, Equatable, CustomStringConvertible {
    /// The source text, kept so the condition can be shown back exactly as written.
    public let description: String
    private let root: ExpressionNode

    public static func parse(_ text: String) throws(ExpressionError) -> Expression {
        Expression(description: text, root: try ExpressionParser.parse(text))
    }

    /// Every reference the expression mentions, including those a short-circuit may skip.
    public var references: Set<Reference> { root.references }

    public func evaluate(_ lookup: ValueLookup) throws(ExpressionError) -> Bool {
        try withoutActuallyEscaping(lookup) { (lookup) throws(ExpressionError) in
            try ExpressionEvaluator(lookup: lookup).truth(root)
        }
    }
}
