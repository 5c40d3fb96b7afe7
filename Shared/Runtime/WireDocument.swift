/// A JSON text parsed into a flat list of tokens, one per value, object key or container, in
/// document order: what `WireDecoder` reads values from. A container's token records where its
/// subtree ends, so a reader skips a member it does not want in one step, and strings and
/// numbers stay where they are in the bytes until a reader asks for them.
struct WireDocument: Sendable {
    enum Kind: UInt8, Sendable {
        case null, `true`, `false`, number, string, escapedString, object, array
    }

    struct Token: Sendable {
        let kind: Kind
        /// The value's bytes (for strings, between the quotes).
        let start: Int
        var end: Int
        /// The index of the token after this value's subtree.
        var next: Int
        /// Members of an object (keys and values, so twice its size) or elements of an array.
        var count: Int
    }

    let bytes: [UInt8]
    private(set) var tokens: [Token] = []

    /// Deeper than this is not a message or a row; refusing it keeps the recursion bounded.
    static let maxDepth = 256

    init(_ bytes: [UInt8]) throws(WireSyntaxError) {
        self.bytes = bytes
        tokens.reserveCapacity(bytes.count / 8)
        var position = 0
        try parseValue(&position, depth: 0)
        skipWhitespace(&position)
        guard position == bytes.count else { throw WireSyntaxError(offset: position, problem: "unexpected text after the value") }
    }

    func text(_ token: Token) -> String {
        String(decoding: bytes[token.start..<token.end], as: UTF8.self)
    }

    private func skipWhitespace(_ position: inout Int) {
        while position < bytes.count {
            switch bytes[position] {
            case 0x20, 0x09, 0x0A, 0x0D: position += 1
            default: return
            }
        }
    }

    private mutating func parseValue(_ position: inout Int, depth: Int) throws(WireSyntaxError) {
        skipWhitespace(&position)
        guard position < bytes.count else { throw WireSyntaxError(offset: position, problem: "unexpected end of the text") }
        switch bytes[position] {
        case UInt8(ascii: "{"): try parseContainer(&position, depth: depth, object: true)
        case UInt8(ascii: "["): try parseContainer(&position, depth: depth, object: false)
        case UInt8(ascii: "\""): try parseString(&position)
        case UInt8(ascii: "t"): try parseLiteral(&position, "true", .true)
        case UInt8(ascii: "f"): try parseLiteral(&position, "false", .false)
        case UInt8(ascii: "n"): try parseLiteral(&position, "null", .null)
        default: try parseNumber(&position)
        }
    }

    private mutating func parseContainer(_ position: inout Int, depth: Int, object: Bool) throws(WireSyntaxError) {
        guard depth < Self.maxDepth else { throw WireSyntaxError(offset: position, problem: "nested deeper than \(Self.maxDepth)") }
        let index = tokens.count
        tokens.append(Token(kind: object ? .object : .array, start: position, end: position, next: 0, count: 0))
        let close = UInt8(ascii: object ? "}" : "]")
        position += 1
        skipWhitespace(&position)
        var count = 0
        if position < bytes.count, bytes[position] == close {
            position += 1
        } else {
            while true {
                if object {
                    skipWhitespace(&position)
                    guard position < bytes.count, bytes[position] == UInt8(ascii: "\"") else {
                        throw WireSyntaxError(offset: position, problem: "expected a key in quotes")
                    }
                    try parseString(&position)
                    skipWhitespace(&position)
                    guard position < bytes.count, bytes[position] == UInt8(ascii: ":") else {
                        throw WireSyntaxError(offset: position, problem: "expected ':' after a key")
                    }
                    position += 1
                    count += 1
                }
                try parseValue(&position, depth: depth + 1)
                count += 1
                skipWhitespace(&position)
                guard position < bytes.count else { throw WireSyntaxError(offset: position, problem: "unexpected end of the text") }
                if bytes[position] == UInt8(ascii: ",") {
                    position += 1
                    continue
                }
                guard bytes[position] == close else {
                    throw WireSyntaxError(offset: position, problem: "expected ',' or '\(Character(Unicode.Scalar(close)))'")
                }
                position += 1
                break
            }
        }
        tokens[index].end = position
        tokens[index].next = tokens.count
        tokens[index].count = count
    }

    private mutating func parseString(_ position: inout Int) throws(WireSyntaxError) {
        let start = position + 1
        var index = start
        var escaped = false
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                tokens.append(Token(kind: escaped ? .escapedString : .string, start: start, end: index, next: tokens.count + 1, count: 0))
                position = index + 1
                return
            }
            if byte == UInt8(ascii: "\\") {
                escaped = true
                index += 2
                continue
            }
            guard byte >= 0x20 else { throw WireSyntaxError(offset: index, problem: "a control character inside a string") }
            index += 1
        }
        throw WireSyntaxError(offset: position, problem: "a string without its closing quote")
    }

    private mutating func parseLiteral(_ position: inout Int, _ literal: StaticString, _ kind: Kind) throws(WireSyntaxError) {
        let length = literal.utf8CodeUnitCount
        let matches = position + length <= bytes.count && literal.withUTF8Buffer { expected in
            (0..<length).allSatisfy { bytes[position + $0] == expected[$0] }
        }
        guard matches else { throw WireSyntaxError(offset: position, problem: "unexpected character") }
        tokens.append(Token(kind: kind, start: position, end: position + length, next: tokens.count + 1, count: 0))
        position += length
    }

    /// JSON's number grammar: `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`.
    private mutating func parseNumber(_ position: inout Int) throws(WireSyntaxError) {
        let start = position
        var index = position
        func digits() -> Int {
            let from = index
            while index < bytes.count, bytes[index] >= UInt8(ascii: "0"), bytes[index] <= UInt8(ascii: "9") { index += 1 }
            return index - from
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "-") { index += 1 }
        let leadingZero = index < bytes.count && bytes[index] == UInt8(ascii: "0")
        let whole = digits()
        guard whole > 0, !(leadingZero && whole > 1) else { throw WireSyntaxError(offset: start, problem: "unexpected character") }
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            guard digits() > 0 else { throw WireSyntaxError(offset: index, problem: "a number without digits after '.'") }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
            guard digits() > 0 else { throw WireSyntaxError(offset: index, problem: "a number without exponent digits") }
        }
        tokens.append(Token(kind: .number, start: start, end: index, next: tokens.count + 1, count: 0))
        position = index
    }
}

/// Why a text is not JSON, and where.
struct WireSyntaxError: Error, CustomStringConvertible, Sendable {
    let offset: Int
    let problem: String

    var description: String { "\(problem) at byte \(offset)" }
}
