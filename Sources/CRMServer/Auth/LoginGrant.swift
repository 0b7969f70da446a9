import CRMStore

/// What a login or a refresh grants: a new session and its bearer token, and, for a password login from a
/// device, a refresh token bound to that device.
public struct LoginGrant: Sendable {
    /// The bearer token of the session; only its hash is stored.
    public var token: String
    public var session: Session
    public var user: User
    /// A new refresh token for `session.device`; nil when no device was named, and on a refresh (the refresh
    /// token the desktop holds stays valid).
    public var refreshToken: String?

    public init(token: String, session: Session, user: User, refreshToken: String? = nil) {
        self.token = token
        self.session = session
        self.user = user
        self.refreshToken = refreshToken
    }
}
