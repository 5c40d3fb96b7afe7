import Foundation

extension String {
    /// One path segment of a URL built from user input: `/`, `?` and `#` are escaped so a name
    /// cannot reach another route.
    var escapedPathSegment: String {
        addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(["/"])) ?? self
    }

    /// A query value built from user input (see `CharacterSet.urlQueryValueAllowed`).
    var escapedQueryValue: String {
        addingPercentEncoding(withAllowedCharacters: .urlQueryValueAllowed) ?? self
    }
}
