import CRMModel

/// The set of records a user may see, as a store filters them.
public enum VisibilityScope: Sendable, Equatable {
    /// Every record.
    case all
    /// Records owned by one of these users, or whose team includes one of them.
    case users(Set<String>)

    /// Whether `record` is inside the scope.
    public func contains(_ record: Record) -> Bool {
        switch self {
        case .all: true
        case .users(let users): users.contains(record.owner) || record.team.contains(where: users.contains)
        }
    }
}

/// One equality condition of a list query.
public struct FieldFilter: Sendable, Equatable {
    public var field: String
    public var value: FieldValue
    /// Reference and many-to-many fields are matched through the reference index.
    public var isReference: Bool

    public init(field: String, value: FieldValue, isReference: Bool) {
        self.field = field
        self.value = value
        self.isReference = isReference
    }
}

/// The order of a list: a field of the type, or a system field (`createdAt`, `updatedAt`, `owner`).
public struct RecordSort: Sendable, Equatable {
    public var field: String
    public var descending: Bool

    public init(field: String, descending: Bool = false) {
        self.field = field
        self.descending = descending
    }

    public static let systemFields: Set<String> = ["createdAt", "updatedAt", "owner", "id"]
}

/// A page request over the live records of one type.
public struct RecordQuery: Sendable, Equatable {
    public var type: String
    public var visibility: VisibilityScope
    public var filters: [FieldFilter]
    public var sort: RecordSort
    public var limit: Int
    /// The opaque cursor of the previous page, to continue after it.
    public var cursor: String?

    public init(
        type: String, visibility: VisibilityScope, filters: [FieldFilter] = [],
        sort: RecordSort = RecordSort(field: "createdAt"), limit: Int = 100, cursor: String? = nil
    ) {
        self.type = type
        self.visibility = visibility
        self.filters = filters
        self.sort = sort
        self.limit = limit
        self.cursor = cursor
    }
}

/// A page of records and the cursor of the next one (nil on the last page).
public struct RecordListPage: Sendable {
    public var records: [Record]
    public var nextCursor: String?

    public init(records: [Record], nextCursor: String?) {
        self.records = records
        self.nextCursor = nextCursor
    }
}

/// What a delete did: the records deleted (the one asked for and its cascade) and the records whose
/// references to them were cleared.
public struct DeleteOutcome: Sendable, Equatable {
    public var deleted: [Record]
    public var updated: [Record]

    public init(deleted: [Record], updated: [Record]) {
        self.deleted = deleted
        self.updated = updated
    }
}

/// A store cursor could not be read.
public struct InvalidCursor: Error, Sendable, Equatable {
    public init() {}
}
