import Foundation

/// A CRM user: who they are, what role they have, who they report to, and the email addresses they send from.
public struct User: Codable, Sendable, Equatable {
    public var name: String
    /// The bcrypt hash of the password; never logged, never sent.
    public var passwordHash: String
    public var role: String
    public var manager: String?
    public var emails: [String]
    public var enabled: Bool
    public var createdAt: Date

    public init(
        name: String, passwordHash: String, role: String, manager: String? = nil, emails: [String] = [],
        enabled: Bool = true, createdAt: Date = Date()
    ) {
        self.name = name
        self.passwordHash = passwordHash
        self.role = role
        self.manager = manager
        self.emails = emails
        self.enabled = enabled
        self.createdAt = createdAt
    }
}

/// A logged-in session: the hash of its bearer token, its user, its expiry and the device it was opened for.
public struct Session: Sendable, Equatable {
    /// SHA-256 of the token, hex; the token itself is never stored.
    public var tokenHash: String
    public var user: String
    public var createdAt: Date
    public var expiresAt: Date
    /// The id of the device the session was opened for; revoking the device ends the session.
    public var device: String?

    public init(tokenHash: String, user: String, createdAt: Date, expiresAt: Date, device: String? = nil) {
        self.tokenHash = tokenHash
        self.user = user
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.device = device
    }
}

/// Users, their reporting lines, and their sessions.
public protocol UserStore: Sendable {
    func addUser(_ user: User) async throws
    func user(named name: String) async throws -> User?
    func users() async throws -> [User]
    /// Changes a user in one transaction; the name stays (records name their owner by it). Disabling a user
    /// also deletes their sessions and refresh tokens and revokes their devices in the same transaction.
    func updateUser(named name: String, change: @escaping @Sendable (inout User) throws -> Void) async throws -> User
    /// Everyone who reports to `name`, directly or through others.
    func reports(of name: String) async throws -> Set<String>
}

/// Login sessions, stored by token hash so that a stolen database holds no usable token.
public protocol SessionStore: Sendable {
    func createSession(_ session: Session) async throws
    func session(tokenHash: String) async throws -> Session?
    func deleteSession(tokenHash: String) async throws
    func deleteSessions(user: String) async throws
    /// Removes sessions that expired before `date`, and the remembered credentials of revoked devices with them.
    func deleteExpiredSessions(before date: Date) async throws
}
