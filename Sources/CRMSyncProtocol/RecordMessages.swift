import CRMModel

/// The body of a create (all fields to set) or an update (only the changed fields).
public struct RecordWrite: Codable, Sendable {
    public var fields: [String: FieldValue]
    /// A new owner (user name); on create it defaults to the caller.
    public var owner: String?
    /// The new team, replacing the old one.
    public var team: [String]?
    /// On create, an id minted by the client (a lower-case UUID); the server mints one otherwise.
    public var id: String?

    public init(fields: [String: FieldValue], owner: String? = nil, team: [String]? = nil, id: String? = nil) {
        self.fields = fields
        self.owner = owner
        self.team = team
        self.id = id
    }
}

/// A page of records of one type; `nextCursor` continues it.
public struct RecordList: Codable, Sendable {
    public var records: [Record]
    public var nextCursor: String?

    public init(records: [Record], nextCursor: String?) {
        self.records = records
        self.nextCursor = nextCursor
    }
}

/// The JSON error body of every failed request: `{"error": {"code", "message", "field"}}`.
public struct ErrorBody: Codable, Sendable {
    public struct Detail: Codable, Sendable {
        /// A stable machine-readable code (`validation`, `not-found`, `stale-version`, ...).
        public var code: String
        public var message: String
        /// The field at fault, when there is one.
        public var field: String?
        /// Every field at fault, for validation errors.
        public var issues: [FieldIssue]?

        public init(code: String, message: String, field: String? = nil, issues: [FieldIssue]? = nil) {
            self.code = code
            self.message = message
            self.field = field
            self.issues = issues
        }
    }

    public var error: Detail
    /// The current record, when the request was refused because the caller's version was stale (412).
    public var current: Record?
    /// The id of the request that failed (also its `X-Request-Id` header): the server log's line for it has the
    /// same id, so an administrator can find what a user saw.
    public var requestId: String?

    public init(error: Detail, current: Record? = nil, requestId: String? = nil) {
        self.error = error
        self.current = current
        self.requestId = requestId
    }
}

/// The answer to a delete: the ids deleted (the record and its cascade) and the ids whose references cleared.
public struct DeleteResult: Codable, Sendable {
    public var deleted: [String]
    public var updated: [String]

    public init(deleted: [String], updated: [String]) {
        self.deleted = deleted
        self.updated = updated
    }
}
