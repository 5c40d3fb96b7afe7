import Foundation
internal import CPostgres

/// The keyword/value pairs handed to `PQconnectdbParams`: the caller's conninfo taken apart by
/// libpq itself (so URIs and quoting work as documented) plus the session settings every row
/// decoder depends on. Computed once per client; `PQreset` reuses them on reconnect.
struct ConnectionParameters: Sendable {
    /// Server settings decoders rely on: timestamps printed as ISO in UTC, bytea as hex.
    static let requiredOptions = "-c DateStyle=ISO -c TimeZone=UTC -c bytea_output=hex"
    /// Defaults the connection string's own `options` may override: no JIT compilation. The
    /// platform's statements are short, and the server decides to compile from a plan's cost
    /// estimate: with statistics taken while 100,000 tasks were queued, the scheduler's
    /// queue-heads statement (0.05 ms to run) was estimated at 690,000 and compiled, with
    /// inlining and optimization, on every pass — 78 ms each, the intermittent latency collapse
    /// after the benchmark's big scenarios (docs/performance.md, item 43).
    static let defaultOptions = "-c jit=off"

    let keywords: [String]
    let values: [String]

    init(connectionString: String, applicationName: String) throws(PostgresError) {
        var errorMessage: UnsafeMutablePointer<CChar>?
        guard let parsed = PQconninfoParse(connectionString, &errorMessage) else {
            let message = errorMessage.map { String(cString: $0) } ?? "out of memory"
            if let errorMessage { PQfreemem(errorMessage) }
            throw PostgresError(.connection, "invalid connection string: " + message.trimmed)
        }
        defer { PQconninfoFree(parsed) }
        var keywords: [String] = []
        var values: [String] = []
        var userOptions = ""
        var option = parsed
        while let keyword = option.pointee.keyword {
            let name = String(cString: keyword)
            if let value = option.pointee.val.map({ String(cString: $0) }) {
                switch name {
                case "options": userOptions = value
                case "application_name": break
                default:
                    keywords.append(name)
                    values.append(value)
                }
            }
            option += 1
        }
        keywords.append("application_name")
        values.append(applicationName)
        keywords.append("options")
        // Later settings win: the caller's over the defaults, the required ones over both.
        values.append([Self.defaultOptions, userOptions, Self.requiredOptions].filter { !$0.isEmpty }.joined(separator: " "))
        self.keywords = keywords
        self.values = values
    }

    /// Lends NUL-terminated, NULL-ended keyword and value arrays to a libpq call.
    func withCArrays<R>(_ body: (UnsafePointer<UnsafePointer<CChar>?>, UnsafePointer<UnsafePointer<CChar>?>) -> R) -> R {
        let cKeywords = keywords.map { strdup($0) }
        let cValues = values.map { strdup($0) }
        defer {
            cKeywords.forEach { free($0) }
            cValues.forEach { free($0) }
        }
        let keywordPointers = cKeywords.map { UnsafePointer($0) } + [nil]
        let valuePointers = cValues.map { UnsafePointer($0) } + [nil]
        return keywordPointers.withUnsafeBufferPointer { keywordBuffer in
            valuePointers.withUnsafeBufferPointer { valueBuffer in
                // Both buffers are non-empty (they end with nil), so baseAddress is present.
                guard let keywordBase = keywordBuffer.baseAddress, let valueBase = valueBuffer.baseAddress else {
                    preconditionFailure("non-empty array without storage")
                }
                return body(keywordBase, valueBase)
            }
        }
    }
}

extension String {
    /// libpq messages end with a newline; logs and errors want one line.
    var trimmed: String {
        var text = Substring(self)
        while let last = text.last, last.isWhitespace { text.removeLast() }
        return String(text)
    }
}
