/// Recursive descent over the tokens, one function per precedence level, lowest first:
/// `||`, `&&`, `!`, comparison, primary.
struct ExpressionParser {
    static let maxLength = 4096
    static let maxDepth = 64

    private let tokens: [ExpressionToken]
    private var position = 0
    private var depth = 0

    private init(_ tokens: [ExpressionToken]) { self.tokens = tokens }

    static func parse(_ text: String) throws(ExpressionError) -> ExpressionNode {
        let length = text.utf8.count
        guard length <= maxLength else {
            throw ExpressionError("the expression is \(length) bytes long; the limit is \(maxLength)")
        }
        var parser = ExpressionParser(try ExpressionTokenizer.tokens(of: text))
        guard parser.current.kind != .end else { throw ExpressionError("the expression is empty") }
        let root = try parser.disjunction()
        guard parser.current.kind == .end else {
            let token = parser.current
            let hint = token.kind == .rightParen ? " (it closes no '(')" : "; combine conditions with && or ||"
            throw ExpressionError("unexpected \(token.quoted) at column \(token.column) after a complete expression\(hint)")
        }
        return root
    }

    // MARK: - Precedence levels

    private mutating func disjunction() throws(ExpressionError) -> ExpressionNode {
        var operands = [try conjunction()]
        while current.kind == .or {
            position += 1
            operands.append(try conjunction())
        }
        return operands.count == 1 ? operands[0] : .any(operands)
    }

    private mutating func conjunction() throws(ExpressionError) -> ExpressionNode {
        var operands = [try negation()]
        while current.kind == .and {
            position += 1
            operands.append(try negation())
        }
        return operands.count == 1 ? operands[0] : .all(operands)
    }

    private mutating func negation() throws(ExpressionError) -> ExpressionNode {
        guard current.kind == .not else { return try comparison() }
        try enter(current)
        defer { depth -= 1 }
        position += 1
        return .not(try negation())
    }

    private mutating func comparison() throws(ExpressionError) -> ExpressionNode {
        let left = try primary()
        guard case .comparison(let op) = current.kind else { return left }
        position += 1
        let right = try primary()
        if case .comparison = current.kind {
            throw ExpressionError("comparisons cannot be chained: \(current.quoted) at column \(current.column) follows '\(op.rawValue)'; join them with && (a < b && b < c) or add parentheses")
        }
        return .compare(op, left, right)
    }

    private mutating func primary() throws(ExpressionError) -> ExpressionNode {
        let token = current
        switch token.kind {
        case .leftParen:
            try enter(token)
            defer { depth -= 1 }
            position += 1
            let inner = try disjunction()
            guard current.kind == .rightParen else {
                throw ExpressionError("the '(' at column \(token.column) is not closed: expected ')' at column \(current.column), found \(current.quoted)")
            }
            position += 1
            return inner
        case .string(let value):
            position += 1
            return .string(value)
        case .number(let value):
            position += 1
            return .number(value, text: token.text)
        case .word("true"), .word("false"):
            position += 1
            return .boolean(token.text == "true")
        case .word(let path):
            position += 1
            do {
                return .reference(try Reference.parse(path))
            } catch {
                throw ExpressionError("\(error.message) (column \(token.column))")
            }
        case .end:
            throw ExpressionError("the expression ends where a value was expected (column \(token.column))")
        case .and, .or, .not, .comparison, .rightParen:
            throw ExpressionError("expected a value at column \(token.column), found \(token.quoted)")
        }
    }

    // MARK: - Helpers

    private var current: ExpressionToken { tokens[min(position, tokens.count - 1)] }

    /// Bounds recursion so hostile or generated input cannot exhaust the stack.
    private mutating func enter(_ token: ExpressionToken) throws(ExpressionError) {
        depth += 1
        guard depth <= Self.maxDepth else {
            throw ExpressionError("the expression nests deeper than \(Self.maxDepth) levels of '(' and '!' (at column \(token.column))")
        }
    }
}
