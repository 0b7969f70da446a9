import Foundation

/// `POST /api/v1/sessions`: log in with a user name and password.
public struct LoginRequest: Codable, Sendable {
    public var username: String
    public var password: String

    public init(username: String, password: String) {
        self.username = username
        self.password = password
    }
}

/// The answer to a login: the bearer token for later requests, and when it expires.
public struct LoginResponse: Codable, Sendable {
    public var token: String
    public var expiresAt: Date
    public var user: String
    public var role: String

    public init(token: String, expiresAt: Date, user: String, role: String) {
        self.token = token
        self.expiresAt = expiresAt
        self.user = user
        self.role = role
    }
}
