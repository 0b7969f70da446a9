/// What the mapper needs to know about other records to write references the way a PIM shows them (an
/// account's name in ORG, a contact's address in ATTENDEE) and to read them back.
public protocol RecordDirectory: Sendable {
    /// The title of a record (an account's name).
    func title(of id: String) -> String?
    /// A contact's email address.
    func email(of id: String) -> String?
    /// The record of one of `types` whose title is `title` (case-insensitive), when exactly one has it.
    func id(titled title: String, types: [String]) -> String?
    /// The contact with this email address (case-insensitive).
    func id(withEmail email: String) -> String?
    /// Whether the record is one the desktop holds (a link to it may be kept).
    func contains(_ id: String) -> Bool
}

/// A directory held in memory: built by the desktop from its replica before a PIM sync, and by tests by hand.
public struct RecordDirectoryTable: RecordDirectory {
    public var titles: [String: String]
    public var types: [String: String]
    public var emails: [String: String]

    public init(titles: [String: String] = [:], types: [String: String] = [:], emails: [String: String] = [:]) {
        self.titles = titles
        self.types = types
        self.emails = emails
    }

    public func title(of id: String) -> String? { titles[id] }
    public func email(of id: String) -> String? { emails[id] }
    public func contains(_ id: String) -> Bool { types[id] != nil || titles[id] != nil || emails[id] != nil }

    public func id(titled title: String, types wanted: [String]) -> String? {
        let matches = titles.filter {
            $0.value.caseInsensitiveCompare(title) == .orderedSame && wanted.contains(types[$0.key] ?? "")
        }
        return matches.count == 1 ? matches.first?.key : nil
    }

    public func id(withEmail email: String) -> String? {
        let matches = emails.filter { $0.value.caseInsensitiveCompare(email) == .orderedSame }
        return matches.count == 1 ? matches.first?.key : nil
    }
}
