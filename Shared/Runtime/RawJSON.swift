/// A JSON value carried as its exact text. `WireDecoder` reads it without building the value:
/// the value's bytes as they stand in the document. `WireEncoder` writes the bytes as they are.
///
/// It is for a value that passes through a service without being looked at. A task's spec
/// crosses the dispatcher that way: it arrives in a ready, is stored, and is sent on in an order.
/// Decoding it and encoding it again, twice, cost a fifth of the dispatcher's CPU
/// (docs/performance.md, item 62).
///
/// Other coders (Foundation's) cannot carry one: they throw rather than guess.
public struct RawJSON: Codable, Sendable, Equatable {
    /// One JSON value's text.
    public let bytes: [UInt8]

    /// `text` must be one JSON value, as a `json` column or a value `WireDecoder` read is:
    /// nothing here parses it again. Text that is not JSON would make every document it is
    /// written into unreadable.
    public init(trusted text: [UInt8]) {
        bytes = text
    }

    public init(from decoder: any Decoder) throws {
        throw DecodingError.dataCorrupted(DecodingError.Context(
            codingPath: decoder.codingPath, debugDescription: "RawJSON is read only by WireDecoder"))
    }

    public func encode(to encoder: any Encoder) throws {
        throw EncodingError.invalidValue(self, EncodingError.Context(
            codingPath: encoder.codingPath, debugDescription: "RawJSON is written only by WireEncoder"))
    }
}
