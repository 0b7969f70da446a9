import Foundation

/// `GET /api/v1/me`: who the caller is. The desktop uses `emails` to tell a user's own (outbound) mail from
/// mail they received when they share emails.
public struct UserProfile: Codable, Sendable, Equatable {
    /// The user name (immutable; records name their owner by it).
    public var name: String
    /// The role, which picks the package and the visibility.
    public var role: String
    /// The user's own email addresses.
    public var emails: [String]
    /// The user they report to, if any.
    public var manager: String?

    public init(name: String, role: String, emails: [String], manager: String? = nil) {
        self.name = name
        self.role = role
        self.emails = emails
        self.manager = manager
    }

    private enum CodingKeys: String, CodingKey { case name, role, emails, manager }

    /// Writes `manager` as null when there is none, so the field is always present on the wire.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(name, forKey: .name)
        try container.encode(role, forKey: .role)
        try container.encode(emails, forKey: .emails)
        try container.encode(manager, forKey: .manager)
    }
}
