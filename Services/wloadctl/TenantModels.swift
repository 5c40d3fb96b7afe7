/// trigger-service's tenant and credential answers as the CLI reads them.

struct TenantDetail: Decodable {
    let name: String
    let displayName: String?
    let weight: Int?
    let createdBy: String?
    let createdAt: String?
}

struct TenantListing: Decodable {
    let tenants: [TenantDetail]
}

struct TenantRequest: Encodable {
    let name: String
    let displayName: String?
    let weight: Int?
}

struct TokenDetail: Decodable {
    let name: String
    let tenant: String?
    let role: String?
    let createdAt: String?
    /// Only in the answer that issued it.
    let token: String?
}

struct TokenListing: Decodable {
    let tokens: [TokenDetail]
}

struct TokenRequest: Encodable {
    let name: String
    let role: String
}

struct Identity: Decodable {
    let name: String
    let tenant: String
    let role: String
    let platform: Bool?
}
