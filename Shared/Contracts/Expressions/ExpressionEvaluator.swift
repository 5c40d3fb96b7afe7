/// Evaluates a parsed expression against a lookup. See ``Expression`` for the rules.
struct ExpressionEvaluator {
    /// A value during evaluation. Strings remember the reference they came from so that type
    /// errors can say where the offending text was read.
    private enum Value {
        case string(String, from: Reference?)
        case number(Double, text: String)
        case boolean(Bool)

        var quoted: String {
            switch self {
            case .string(let text, let from?): "'\(text)' (from \(from))"
            case .string(let text, nil): "'\(text)'"
            case .number(_, let text): "number \(text)"
            case .boolean(let value): "boolean \(value)"
            }
        }
    }

    let lookup: ValueLookup

    func truth(_ node: ExpressionNode) throws(ExpressionError) -> Bool {
        switch node {
        case .not(let operand):
            return !(try truth(operand))
        case .all(let operands):
            for operand in operands {
                guard try truth(operand) else { return false }
            }
            return true
        case .any(let operands):
            for operand in operands {
                if try truth(operand) { return true }
            }
            return false
        case .compare(let op, let left, let right):
            return try compare(op, try value(left), try value(right))
        case .string, .number, .boolean, .reference:
            let result = try value(node)
            guard let truth = Self.boolean(result) else {
                throw ExpressionError("\(result.quoted) is not a boolean; conditions need true or false")
            }
            return truth
        }
    }

    private func value(_ node: ExpressionNode) throws(ExpressionError) -> Value {
        switch node {
        case .string(let text): return .string(text, from: nil)
        case .number(let value, let text): return .number(value, text: text)
        case .boolean(let value): return .boolean(value)
        case .reference(let reference):
            guard let text = lookup(reference) else { throw ExpressionError(reference.unavailableMessage) }
            return .string(text, from: reference)
        case .not, .all, .any, .compare:
            return .boolean(try truth(node))
        }
    }

    // MARK: - Comparison

    private func compare(_ op: ComparisonOperator, _ left: Value, _ right: Value) throws(ExpressionError) -> Bool {
        switch (left, right) {
        case (.boolean, _), (_, .boolean):
            return try compareBooleans(op, left, right)
        case (.number(let a, _), .number(let b, _)):
            return Self.ordered(op, a, b)
        case (.number(let a, _), .string(let text, _)):
            guard let b = NumberText.value(text.unicodeScalars) else { return try mismatch(op, right, left) }
            return Self.ordered(op, a, b)
        case (.string(let text, _), .number(let b, _)):
            guard let a = NumberText.value(text.unicodeScalars) else { return try mismatch(op, left, right) }
            return Self.ordered(op, a, b)
        case (.string(let a, _), .string(let b, _)):
            if let x = NumberText.value(a.unicodeScalars), let y = NumberText.value(b.unicodeScalars) {
                return Self.ordered(op, x, y)
            }
            return Self.ordered(op, a.unicodeScalars, b.unicodeScalars)
        }
    }

    /// A non-numeric string against a number literal: never equal, and not orderable.
    private func mismatch(_ op: ComparisonOperator, _ text: Value, _ number: Value) throws(ExpressionError) -> Bool {
        switch op {
        case .equal: return false
        case .notEqual: return true
        case .less, .lessOrEqual, .greater, .greaterOrEqual:
            throw ExpressionError("cannot compare \(text.quoted) with \(number.quoted) using '\(op.rawValue)'")
        }
    }

    private func compareBooleans(_ op: ComparisonOperator, _ left: Value, _ right: Value) throws(ExpressionError) -> Bool {
        guard let a = Self.boolean(left), let b = Self.boolean(right) else {
            throw ExpressionError("cannot compare \(left.quoted) with \(right.quoted): a boolean compares only with true, false or the strings 'true'/'false'")
        }
        switch op {
        case .equal: return a == b
        case .notEqual: return a != b
        case .less, .lessOrEqual, .greater, .greaterOrEqual:
            throw ExpressionError("booleans cannot be ordered with '\(op.rawValue)'; use == or !=")
        }
    }

    private static func boolean(_ value: Value) -> Bool? {
        switch value {
        case .boolean(let value): value
        case .string(let text, _) where text.lowercased() == "true": true
        case .string(let text, _) where text.lowercased() == "false": false
        case .string, .number: nil
        }
    }

    private static func ordered(_ op: ComparisonOperator, _ a: Double, _ b: Double) -> Bool {
        switch op {
        case .equal: a == b
        case .notEqual: a != b
        case .less: a < b
        case .lessOrEqual: a <= b
        case .greater: a > b
        case .greaterOrEqual: a >= b
        }
    }

    /// Strings compare scalar by scalar, so the result never depends on locale or normalisation.
    private static func ordered(_ op: ComparisonOperator, _ a: String.UnicodeScalarView, _ b: String.UnicodeScalarView) -> Bool {
        switch op {
        case .equal: a.elementsEqual(b)
        case .notEqual: !a.elementsEqual(b)
        case .less: a.lexicographicallyPrecedes(b)
        case .lessOrEqual: !b.lexicographicallyPrecedes(a)
        case .greater: b.lexicographicallyPrecedes(a)
        case .greaterOrEqual: !a.lexicographicallyPrecedes(b)
        }
    }
}
