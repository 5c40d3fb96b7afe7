import Foundation

/// Lays out text parameters as the C strings `PQexecParams` wants, with one temporary buffer for
/// all the bytes and one for the pointers (on the stack when small), so binding costs no more
/// than computing each parameter's text.
enum ParameterBuffer {
    static func withCStrings<R>(
        _ parameters: [any PostgresBindable],
        _ body: (Int32, UnsafePointer<UnsafePointer<CChar>?>) -> R
    ) throws(PostgresError) -> R {
        let texts = parameters.map(\.postgresText)
        var byteCount = 0
        for text in texts { byteCount += (text?.utf8.count ?? 0) + 1 }
        let outcome: Result<R, PostgresError> = withUnsafeTemporaryAllocation(of: CChar.self, capacity: byteCount) { bytes in
            withUnsafeTemporaryAllocation(of: UnsafePointer<CChar>?.self, capacity: texts.count) { pointers in
                guard let bytesBase = bytes.baseAddress, let pointersBase = pointers.baseAddress else {
                    return .failure(PostgresError(.query, "could not allocate parameter buffers"))
                }
                var offset = 0
                for (index, text) in texts.enumerated() {
                    guard var text else {
                        (pointersBase + index).initialize(to: nil)
                        continue
                    }
                    let start = bytesBase + offset
                    let containsNUL: Bool = text.withUTF8 { utf8 in
                        guard let source = utf8.baseAddress else { return false }
                        memcpy(start, source, utf8.count)
                        return memchr(source, 0, utf8.count) != nil
                    }
                    if containsNUL {
                        return .failure(PostgresError(.query, "parameter $\(index + 1) contains a NUL byte, which Postgres text cannot hold"))
                    }
                    offset += text.utf8.count
                    bytesBase[offset] = 0
                    offset += 1
                    (pointersBase + index).initialize(to: UnsafePointer(start))
                }
                return .success(body(Int32(texts.count), UnsafePointer(pointersBase)))
            }
        }
        return try outcome.get()
    }
}
