import Foundation

/// A desktop registered with the server: the server mints its id at setup and binds it to one user. Sessions
/// and refresh tokens opened for it end when it is revoked, and a revoked device is answered "revoked".
///
/// It lives in the wire layer because the server stores it and the desktop reads it (`GET /api/v1/devices`).
public struct Device: Codable, Sendable, Equatable {
    /// Lower-case UUID minted by the server (`RecordID.make()`).
    public var id: String
    /// The user the device belongs to.
    public var user: String
    /// What the desktop calls itself, such as its host name: 1 to 200 characters.
    public var name: String
    public var createdAt: Date
    /// The last request made through a session of the device (kept to the minute).
    public var lastSeenAt: Date?
    /// When the device was revoked; nil while it may sync.
    public var revokedAt: Date?

    public init(
        id: String, user: String, name: String, createdAt: Date, lastSeenAt: Date? = nil, revokedAt: Date? = nil
    ) {
        self.id = id
        self.user = user
        self.name = name
        self.createdAt = createdAt
        self.lastSeenAt = lastSeenAt
        self.revokedAt = revokedAt
    }

    /// Whether the device was revoked: its sessions and refresh tokens are gone and new ones are refused.
    public var isRevoked: Bool { revokedAt != nil }
}
