import Foundation

/// Number and boolean text as Postgres prints it, parsed straight from libpq's buffer so reading
/// an integer column allocates nothing.
enum TextNumber {
    static func int64(_ text: UnsafeBufferPointer<UInt8>) -> Int64? {
        guard !text.isEmpty else { return nil }
        var index = 0
        let negative = text[0] == UInt8(ascii: "-")
        if negative || text[0] == UInt8(ascii: "+") { index = 1 }
        guard index < text.count else { return nil }
        var value: Int64 = 0
        while index < text.count {
            let byte = text[index]
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            let digit = Int64(byte - UInt8(ascii: "0"))
            // Accumulate negatively so Int64.min parses without overflow.
            let (shifted, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (next, overflow2) = shifted.subtractingReportingOverflow(digit)
            guard !overflow1, !overflow2 else { return nil }
            value = next
            index += 1
        }
        if negative { return value }
        let (positive, overflow) = Int64(0).subtractingReportingOverflow(value)
        return overflow ? nil : positive
    }

    /// Accepts float8/numeric output including `NaN`, `Infinity` and `-Infinity`.
    static func double(_ text: UnsafeBufferPointer<UInt8>) -> Double? {
        guard !text.isEmpty, text.count < 400 else { return nil }
        return Double(String(decoding: text, as: UTF8.self))
    }

    static func bool(_ text: UnsafeBufferPointer<UInt8>) -> Bool? {
        if text.count == 1 {
            if text[0] == UInt8(ascii: "t") { return true }
            if text[0] == UInt8(ascii: "f") { return false }
            return nil
        }
        switch String(decoding: text, as: UTF8.self) {
        case "true": return true
        case "false": return false
        default: return nil
        }
    }
}

/// UUID text (`8-4-4-4-12` hex, either case) without building an intermediate String.
enum TextUUID {
    static func parse(_ text: UnsafeBufferPointer<UInt8>) -> UUID? {
        guard text.count == 36 else { return nil }
        var bytes: uuid_t = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        let ok = withUnsafeMutableBytes(of: &bytes) { out -> Bool in
            var written = 0
            var index = 0
            while index < 36 {
                if index == 8 || index == 13 || index == 18 || index == 23 {
                    guard text[index] == UInt8(ascii: "-") else { return false }
                    index += 1
                    continue
                }
                guard let high = ByteaHex.nibble(text[index]), let low = ByteaHex.nibble(text[index + 1]) else { return false }
                out[written] = high << 4 | low
                written += 1
                index += 2
            }
            return written == 16
        }
        return ok ? UUID(uuid: bytes) : nil
    }
}
