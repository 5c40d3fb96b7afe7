/// The parsed form of an expression. `&&` and `||` chains are kept flat so the tree's depth is
/// bounded by the nesting limit, not by how many conditions an author strings together.
indirect enum ExpressionNode: Sendable, Equatable {
    case string(String)
    /// A number literal with its source text, which error messages quote.
    case number(Double, text: String)
    case boolean(Bool)
    case reference(Reference)
    case not(ExpressionNode)
    case all([ExpressionNode])
    case any([ExpressionNode])
    case compare(ComparisonOperator, ExpressionNode, ExpressionNode)

    var references: Set<Reference> {
        switch self {
        case .string, .number, .boolean: []
        case .reference(let reference): [reference]
        case .not(let operand): operand.references
        case .all(let operands), .any(let operands): operands.reduce(into: []) { $0.formUnion($1.references) }
        case .compare(_, let left, let right): left.references.union(right.references)
        }
    }
}
