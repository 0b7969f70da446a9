import Foundation

/// A customization package: object types, lists of values, forms, sync filters, PIM mappings and roles.
///
/// The base package defines every type and field once and is what the server stores and validates against.
/// A role's package (`resolved(for:)`) is a view of it, and is what `GET /api/v1/package` returns.
public struct CustomizationPackage: Codable, Sendable, Equatable {
    /// The package's name (`default`).
    public var name: String
    /// Version number; a published version never changes.
    public var version: Int
    public var label: String?
    /// Default ISO 4217 currency code of currency fields.
    public var currency: String
    /// Lists of values, by name.
    public var lists: [String: [String]]
    public var types: [String: ObjectType]
    public var forms: [String: Form]?
    public var filters: [SyncFilter]?
    /// The administrator's master filter: per type, conditions every device's filter must also meet.
    public var masterFilters: [String: [FieldCondition]]?
    /// PIM mappings by type; several per type when a field picks the component.
    public var pim: [String: [PIMMapping]]?
    /// How shared emails become records; absent: the package does not take emails.
    public var email: EmailMapping?
    /// Role views, by role name (only on the base package).
    public var roles: [String: RoleView]?
    /// The role this package was resolved for (only on a role's package).
    public var role: RoleInfo?

    public init(
        name: String, version: Int, label: String? = nil, currency: String, lists: [String: [String]],
        types: [String: ObjectType], forms: [String: Form]? = nil, filters: [SyncFilter]? = nil,
        pim: [String: [PIMMapping]]? = nil, roles: [String: RoleView]? = nil, role: RoleInfo? = nil,
        masterFilters: [String: [FieldCondition]]? = nil, email: EmailMapping? = nil
    ) {
        self.email = email
        self.masterFilters = masterFilters
        self.name = name
        self.version = version
        self.label = label
        self.currency = currency
        self.lists = lists
        self.types = types
        self.forms = forms
        self.filters = filters
        self.pim = pim
        self.roles = roles
        self.role = role
    }

    /// The type named `name`, if the package defines it.
    public func type(_ name: String) -> ObjectType? { types[name] }

    /// Every reference field in the package that may point to a record of `targetType`.
    public func references(to targetType: String) -> [ReferenceRule] {
        var result: [ReferenceRule] = []
        for (typeName, type) in types.sorted(by: { $0.key < $1.key }) {
            for (fieldName, field) in type.fields.sorted(by: { $0.key < $1.key })
            where field.kind.isReference && field.allowsTarget(targetType) {
                result.append(
                    ReferenceRule(
                        sourceType: typeName, field: fieldName, many: field.kind == .references,
                        onDelete: field.deleteRule))
            }
        }
        return result
    }
}

/// A reference field seen from the record it points to: what a delete of that record does.
public struct ReferenceRule: Sendable, Equatable, Hashable {
    public var sourceType: String
    public var field: String
    public var many: Bool
    public var onDelete: OnDelete

    public init(sourceType: String, field: String, many: Bool, onDelete: OnDelete) {
        self.sourceType = sourceType
        self.field = field
        self.many = many
        self.onDelete = onDelete
    }
}
