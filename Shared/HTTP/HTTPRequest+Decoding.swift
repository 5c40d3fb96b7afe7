import Foundation
import Runtime

extension HTTPRequest {
    /// Decodes the JSON body. Any failure becomes a 400 whose message names the problem and where
    /// it is (`invalid JSON body: key 'tasks[1].run': expected String`), so API clients can fix
    /// their input without reading server logs. Dates are UTC ISO-8601, as everywhere in the APIs.
    public func decode<T: Decodable>(_ type: T.Type) throws(HTTPError) -> T {
        guard !body.isEmpty else { throw .badRequest("request body is empty; expected a JSON document") }
        do {
            return try JSONCoding.decoder().decode(T.self, from: Data(body))
        } catch let error as DecodingError {
            throw .badRequest("invalid JSON body: " + JSONCoding.describe(error))
        } catch {
            throw .badRequest("invalid JSON body: \(error)")
        }
    }

    /// Like `decode(_:)`, and with `rejectingUnknownKeys` also answers 400 for object keys the
    /// type does not know (`unknown key 'tasks[0].comand'`), so a typo is an error instead of a
    /// silently ignored field. Known keys are found by re-encoding the decoded value, which holds
    /// for synthesized `Codable`; a custom `encode(to:)` that drops fields makes them "unknown".
    public func decode<T: Codable>(_ type: T.Type, rejectingUnknownKeys: Bool) throws(HTTPError) -> T {
        let value = try decode(type)
        guard rejectingUnknownKeys else { return value }
        guard let sent = try? JSONSerialization.jsonObject(with: Data(body), options: [.fragmentsAllowed]),
              let encoded = try? JSONCoding.encoder().encode(value),
              let known = try? JSONSerialization.jsonObject(with: encoded, options: [.fragmentsAllowed])
        else { return value }
        if let path = JSONCoding.firstUnknownKey(sent: sent, known: known, path: "") {
            throw .badRequest("invalid JSON body: unknown key '\(path)'")
        }
        return value
    }
}
