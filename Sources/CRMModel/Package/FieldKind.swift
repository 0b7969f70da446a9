/// The kinds of field a customization package may define (DESIGN section 2).
public enum FieldKind: String, Codable, Sendable, CaseIterable {
    case text, number, currency, date, datetime, boolean, picklist, reference, references, email, phone, url
    /// Files attached to the record: a list of `AttachmentRef` objects naming content in the server's
    /// attachment store by its SHA-256.
    case attachments

    /// Whether values of this kind are ids of other records.
    public var isReference: Bool { self == .reference || self == .references }
}

/// What happens to a record that references a record being deleted.
public enum OnDelete: String, Codable, Sendable, CaseIterable {
    /// Clear the reference (remove the id from a many-to-many set).
    case nullify
    /// Delete the referencing record too.
    case cascade
    /// Refuse the delete while the reference exists.
    case restrict
}

/// How a field changed on both the server and a device is settled (DESIGN section 3).
public enum ConflictRule: String, Codable, Sendable, CaseIterable {
    case serverWins = "server-wins"
    case clientWins = "client-wins"
    case newestWins = "newest-wins"
    case manual
}

/// Which records a role's users may see.
public enum Visibility: String, Codable, Sendable, CaseIterable {
    /// Records the user owns or whose team includes the user.
    case personal
    /// Personal, plus the personal records of everyone who reports to the user, directly or not.
    case team
    /// Every record.
    case all
}
