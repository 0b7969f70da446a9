/// A role's view of the base package: which types and fields its users see and may change, and their own
/// forms, filters, PIM mappings and list-of-values subsets. A view never adds or retypes a field.
public struct RoleView: Codable, Sendable, Equatable {
    public var label: String
    public var visibility: Visibility
    /// Whether the role administers the server (users, packages, sync monitor).
    public var admin: Bool?
    public var hiddenTypes: [String]?
    public var hiddenFields: [String: [String]]?
    public var readOnlyFields: [String: [String]]?
    /// Subsets of the package's lists of values, by list name.
    public var lists: [String: [String]]?
    /// Forms replacing the package's, by type.
    public var forms: [String: Form]?
    /// Names of the package's filter presets this role offers (all when absent).
    public var filters: [String]?
    /// The preset chosen when the user picks none.
    public var defaultFilter: String?
    /// PIM mappings replacing the package's, by type.
    public var pim: [String: [PIMMapping]]?

    public init(label: String, visibility: Visibility, admin: Bool? = nil) {
        self.label = label
        self.visibility = visibility
        self.admin = admin
    }

    public var isAdmin: Bool { admin ?? false }
}

/// On a role's resolved package: which role it was resolved for.
public struct RoleInfo: Codable, Sendable, Equatable {
    public var name: String
    public var label: String
    public var visibility: Visibility
    public var admin: Bool

    public init(name: String, label: String, visibility: Visibility, admin: Bool) {
        self.name = name
        self.label = label
        self.visibility = visibility
        self.admin = admin
    }
}
