import Contracts
import HTTP

extension HTTPRequest {
    /// Decodes a JSON body into `T`, first rejecting fields outside `allowed`, so a typo in a field
    /// name is a 400 naming it rather than a silently ignored setting.
    public func decodeStrict<T: Decodable>(_ type: T.Type, allowed: Set<String>) throws(HTTPError) -> T {
        let document: JSONValue
        do { document = try WireCoding.decode(JSONValue.self, from: body) } catch {
            throw HTTPError.badRequest(WireCoding.describe(error))
        }
        guard case .object(let fields) = document else {
            throw HTTPError.badRequest("request body must be a JSON object, not \(document.typeName)")
        }
        if let unknown = fields.keys.sorted().first(where: { !allowed.contains($0) }) {
            throw HTTPError.badRequest("unknown field '\(unknown)' (allowed: \(allowed.sorted().joined(separator: ", ")))")
        }
        do { return try WireCoding.decode(type, from: body) } catch {
            throw HTTPError.badRequest(WireCoding.describe(error))
        }
    }

    /// A path parameter the route pattern guarantees; a 400 if it is somehow absent.
    public func parameter(_ name: String) throws(HTTPError) -> String {
        guard let value = pathParameters[name], !value.isEmpty else { throw HTTPError.badRequest("missing path parameter '\(name)'") }
        return value
    }
}
