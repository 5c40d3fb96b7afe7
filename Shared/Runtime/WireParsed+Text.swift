extension WireParsed {
    /// The JSON text of the value at `path` (member names from the top-level object), exactly as
    /// it stands in the parsed bytes; nil when a step is missing or not an object. Of a key given
    /// twice the last counts, as when decoding.
    ///
    /// For storing a part of a message verbatim (the audit trail keeps the records as they were
    /// sent) without decoding and encoding it again.
    public func text(at path: [String]) -> ArraySlice<UInt8>? {
        index(at: path).map(text(ofValueAt:))
    }

    /// The JSON texts of the elements of the array at `path`, in order, exactly as they stand in
    /// the parsed bytes; nil when there is no array there.
    public func elementTexts(at path: [String]) -> [ArraySlice<UInt8>]? {
        let document = source.document
        guard let array = index(at: path), document.tokens[array].kind == .array else { return nil }
        var texts: [ArraySlice<UInt8>] = []
        texts.reserveCapacity(document.tokens[array].count)
        var element = array + 1
        while element < document.tokens[array].next {
            texts.append(text(ofValueAt: element))
            element = document.tokens[element].next
        }
        return texts
    }

    /// A string token's bounds leave out its quotes; a value's text keeps them.
    private func text(ofValueAt index: Int) -> ArraySlice<UInt8> {
        let document = source.document
        let token = document.tokens[index]
        let quoted = token.kind == .string || token.kind == .escapedString
        return document.bytes[(quoted ? token.start - 1 : token.start)..<(quoted ? token.end + 1 : token.end)]
    }

    private func index(at path: [String]) -> Int? {
        let reader = WireValueReader(source: source)
        let tokens = source.document.tokens
        var index = 0
        for var name in path {
            guard tokens[index].kind == .object else { return nil }
            let object = index
            let found = name.withUTF8 { wanted -> Int? in
                var found: Int?
                var key = object + 1
                while key < tokens[object].next {
                    if reader.key(at: key, is: wanted) { found = key + 1 }
                    key = tokens[key + 1].next
                }
                return found
            }
            guard let value = found else { return nil }
            index = value
        }
        return index
    }
}
