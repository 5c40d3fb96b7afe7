/// The arguments of one command after its options are taken out. Deliberately tiny: positionals,
/// `--name value` / `--name=value` options (repeatable), `--flag` switches and `--` to end
/// options; anything a command did not declare is a usage error rather than being ignored.
struct Arguments {
    /// An option a command accepts.
    struct Option {
        let name: String
        let takesValue: Bool

        static func value(_ name: String) -> Option { Option(name: name, takesValue: true) }
        static func flag(_ name: String) -> Option { Option(name: name, takesValue: false) }
    }

    private(set) var positionals: [String] = []
    private var values: [String: [String]] = [:]
    private var flags: Set<String> = []

    /// Parses `words` against `options`; `usage` is shown with any error.
    init(_ words: [String], options: [Option], usage: String) throws(CLIError) {
        var index = 0
        var optionsEnded = false
        while index < words.count {
            let word = words[index]
            index += 1
            guard !optionsEnded, word.hasPrefix("--") else {
                positionals.append(word)
                continue
            }
            if word == "--" {
                optionsEnded = true
                continue
            }
            let body = word.dropFirst(2)
            let name = String(body.prefix { $0 != "=" })
            let inline: String? = body.contains("=") ? String(body.drop { $0 != "=" }.dropFirst()) : nil
            guard let option = options.first(where: { $0.name == name }) else {
                throw .usage("unknown option --\(name)", usage)
            }
            if option.takesValue {
                if let inline {
                    values[name, default: []].append(inline)
                } else if index < words.count {
                    values[name, default: []].append(words[index])
                    index += 1
                } else {
                    throw .usage("--\(name) needs a value", usage)
                }
            } else {
                guard inline == nil else { throw .usage("--\(name) takes no value", usage) }
                flags.insert(name)
            }
        }
    }

    /// The last value given for `name`, if any.
    func value(_ name: String) -> String? { values[name]?.last }

    func allValues(_ name: String) -> [String] { values[name] ?? [] }

    func has(_ flag: String) -> Bool { flags.contains(flag) }

    /// The integer value of `name` (nil when absent), which must lie in `range`.
    func integer(_ name: String, in range: ClosedRange<Int>, usage: String) throws(CLIError) -> Int? {
        guard let text = value(name) else { return nil }
        guard let number = Int(text), range.contains(number) else {
            throw .usage("--\(name) needs a whole number from \(range.lowerBound) to \(range.upperBound), got '\(text)'", usage)
        }
        return number
    }

    /// At most `limit` positionals.
    func positionals(upTo limit: Int, usage: String) throws(CLIError) -> [String] {
        guard positionals.count <= limit else { throw .usage("unexpected argument '\(positionals[limit])'", usage) }
        return positionals
    }

    /// Exactly `count` positionals, named in the error when they are missing or too many.
    func positionals(exactly count: Int, _ what: String, usage: String) throws(CLIError) -> [String] {
        guard positionals.count == count else {
            throw .usage(positionals.count < count ? "missing \(what)" : "unexpected argument '\(positionals[count])'", usage)
        }
        return positionals
    }
}

/// Options every command accepts, taken out of the words before the command parses its own.
struct GlobalOptions {
    var tenant: String?
    var words: [String]

    init(_ arguments: [String]) throws(CLIError) {
        var words: [String] = []
        var index = 0
        while index < arguments.count {
            let word = arguments[index]
            index += 1
            if word == "--" {
                words += arguments[(index - 1)...]
                break
            }
            if word == "--tenant" {
                guard index < arguments.count else { throw .usage("--tenant needs a value") }
                tenant = arguments[index]
                index += 1
            } else if word.hasPrefix("--tenant=") {
                tenant = String(word.dropFirst("--tenant=".count))
            } else {
                words.append(word)
            }
        }
        if let tenant, tenant.isEmpty { throw .usage("--tenant must not be empty") }
        self.words = words
    }
}
