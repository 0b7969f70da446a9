import Foundation

/// `POST /api/v1/sessions`: log in with a user name and password, or refresh with a device's refresh token.
///
/// A password login may name a registered `device`: the session is then bound to it and the answer carries a
/// refresh token. A refresh sends only `refreshToken` (and optionally `device`); it needs no password.
public struct LoginRequest: Codable, Sendable {
    /// Required with `password` unless `refreshToken` is sent.
    public var username: String?
    public var password: String?
    /// The id of a device of the user (from `POST /api/v1/devices`) to bind the session to.
    public var device: String?
    /// The refresh token of an earlier device login: opens a session for that device without the password.
    public var refreshToken: String?

    public init(username: String? = nil, password: String? = nil, device: String? = nil, refreshToken: String? = nil) {
        self.username = username
        self.password = password
        self.device = device
        self.refreshToken = refreshToken
    }
}

/// The answer to a login: the bearer token for later requests, and when it expires.
public struct LoginResponse: Codable, Sendable {
    public var token: String
    public var expiresAt: Date
    public var user: String
    public var role: String
    /// On a password login with a device: the refresh token bound to it. Absent on a refresh (the one the
    /// desktop holds stays valid).
    public var refreshToken: String?
    /// The id of the device the session is bound to, when it is.
    public var device: String?

    public init(
        token: String, expiresAt: Date, user: String, role: String, refreshToken: String? = nil, device: String? = nil
    ) {
        self.token = token
        self.expiresAt = expiresAt
        self.user = user
        self.role = role
        self.refreshToken = refreshToken
        self.device = device
    }
}
