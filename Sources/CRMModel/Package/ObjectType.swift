/// A record type defined by the package: its fields, rules, duplicate rules and conflict policy.
public struct ObjectType: Codable, Sendable, Equatable {
    public var label: String
    public var plural: String?
    public var fields: [String: FieldDefinition]
    public var rules: [ValidationRule]?
    /// Duplicate rules ("natural keys"): the sets are OR'ed, the fields within a set AND'ed.
    public var duplicates: [[String]]?
    /// Fields whose value is unique across all records, whoever owns them (a Message-ID, an iCalendar UID).
    public var globalKeys: [String]?
    public var conflicts: ConflictPolicy?
    /// How often desktops check this type for changes when they sync on their own (`sync --watch`, the
    /// scheduled service): `30m`, `12h`, `7d`. Nil: with every sync. For types that change rarely, so that
    /// frequent syncs cost what changes often.
    public var syncEvery: String?

    public init(
        label: String, plural: String? = nil, fields: [String: FieldDefinition], rules: [ValidationRule]? = nil,
        duplicates: [[String]]? = nil, globalKeys: [String]? = nil, conflicts: ConflictPolicy? = nil,
        syncEvery: String? = nil
    ) {
        self.syncEvery = syncEvery
        self.label = label
        self.plural = plural
        self.fields = fields
        self.rules = rules
        self.duplicates = duplicates
        self.globalKeys = globalKeys
        self.conflicts = conflicts
    }

    /// The ids that `fields` (a record's, or the changes of a write) name through this type's reference and
    /// many-to-many fields, with the field, in field order.
    public func references(in fields: [String: FieldValue]) -> [(field: String, target: String)] {
        var result: [(String, String)] = []
        for (name, definition) in self.fields.sorted(by: { $0.key < $1.key }) where definition.kind.isReference {
            switch fields[name] {
            case .string(let id): result.append((name, id))
            case .array(let values):
                for case .string(let id) in values { result.append((name, id)) }
            default: break
            }
        }
        return result
    }

    /// `syncEvery` in seconds (nil: with every sync, or not a valid interval, which the package checker refuses).
    public var syncInterval: Double? { syncEvery.flatMap(Self.interval) }

    /// Seconds in `30m`, `12h`, `7d` (a whole number and a unit: m, h or d); nil for anything else.
    public static func interval(_ text: String) -> Double? {
        guard let unit = text.last, let count = Int(text.dropLast()), count > 0 else { return nil }
        switch unit {
        case "m": return Double(count) * 60
        case "h": return Double(count) * 3600
        case "d": return Double(count) * 86_400
        default: return nil
        }
    }

    /// The conflict rule for one field: the field's own, else the type's default, else `server-wins`.
    public func conflictRule(for field: String) -> ConflictRule {
        conflicts?.fields?[field] ?? conflicts?.default ?? .serverWins
    }
}

/// The conflict policy of a type, with optional per-field exceptions.
public struct ConflictPolicy: Codable, Sendable, Equatable {
    public var `default`: ConflictRule?
    public var fields: [String: ConflictRule]?

    public init(default: ConflictRule? = nil, fields: [String: ConflictRule]? = nil) {
        self.default = `default`
        self.fields = fields
    }
}

/// A condition on one field's value, used by rules, filters and PIM mappings.
public struct FieldCondition: Codable, Sendable, Equatable {
    public var field: String
    /// The field's value is one of these (text comparison; booleans as `true`/`false`).
    public var `in`: [String]?
    /// The field has a value (`true`) or is empty (`false`).
    public var present: Bool?

    public init(field: String, in values: [String]? = nil, present: Bool? = nil) {
        self.field = field
        self.in = values
        self.present = present
    }
}

/// A record-level validation rule. Rules are data so that server and desktop check the same thing.
public struct ValidationRule: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, Sendable, CaseIterable {
        /// `field` (date or datetime) is not before `other`.
        case notBefore
        /// `field` must have a value when `when` holds.
        case requiredWhen
        /// `field` (text) matches the regular expression `pattern`.
        case pattern
    }

    public var name: String
    public var kind: Kind
    public var field: String
    public var other: String?
    public var when: FieldCondition?
    public var pattern: String?
    public var message: String

    public init(
        name: String, kind: Kind, field: String, other: String? = nil, when: FieldCondition? = nil,
        pattern: String? = nil, message: String
    ) {
        self.name = name
        self.kind = kind
        self.field = field
        self.other = other
        self.when = when
        self.pattern = pattern
        self.message = message
    }
}
