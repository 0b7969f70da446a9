import CRMModel
import Foundation

/// One change a device made offline, as it pushes it.
public struct SyncOp: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, Sendable {
        case create, update, delete, link, unlink
    }

    /// Minted by the device; the server answers a repeated op id with the first answer and applies it once.
    public var opId: String
    public var kind: Kind
    public var type: String
    /// The record's id (on create, minted by the device).
    public var id: String
    /// The version the device's edit started from (not on create).
    public var baseVersion: Int?
    /// Create: every field set; update: only the fields changed.
    public var fields: [String: FieldValue]?
    /// Link and unlink: the reference or many-to-many field, and the id linked or unlinked.
    public var field: String?
    public var target: String?
    /// A new owner or team (create and update).
    public var owner: String?
    public var team: [String]?
    /// When the user made the edit on the device (clamped to the server's clock).
    public var editedAt: Date
    /// The package version the op was made under.
    public var packageVersion: Int?
    /// Create even though a record the user may see matches a duplicate rule.
    public var insist: Bool?

    public init(
        opId: String, kind: Kind, type: String, id: String, baseVersion: Int? = nil, fields: [String: FieldValue]? = nil,
        field: String? = nil, target: String? = nil, owner: String? = nil, team: [String]? = nil, editedAt: Date,
        packageVersion: Int? = nil, insist: Bool? = nil
    ) {
        self.opId = opId
        self.kind = kind
        self.type = type
        self.id = id
        self.baseVersion = baseVersion
        self.fields = fields
        self.field = field
        self.target = target
        self.owner = owner
        self.team = team
        self.editedAt = editedAt
        self.packageVersion = packageVersion
        self.insist = insist
    }
}

/// `POST /api/v1/sync/push`: a batch of ops, applied in order in one transaction.
public struct SyncPushRequest: Codable, Sendable {
    public var protocolVersion: Int
    public var session: String
    public var ops: [SyncOp]

    public init(protocolVersion: Int = ProtocolVersion.current, session: String, ops: [SyncOp]) {
        self.protocolVersion = protocolVersion
        self.session = session
        self.ops = ops
    }
}

/// What became of one op.
public struct SyncOpResult: Codable, Sendable, Equatable {
    public enum Status: String, Codable, Sendable {
        /// Applied as sent.
        case applied
        /// Applied, and the record also carries changes made on the server since the base version
        /// (`serverFields`), or the op joined an existing record through a global key (`existing`).
        case merged
        /// A field changed on both sides, an update met a delete or a delete met an update, or a create
        /// matched a duplicate rule (`existing`): `conflicts` holds the conflict records.
        case conflict
        /// Refused and nothing changed: `issues` say why, field by field.
        case rejected
        /// Not tried because an earlier op it depends on was rejected (`heldBy`).
        case held
    }

    public var opId: String
    public var status: Status
    /// The record's id (for a global-key match, the existing record's).
    public var id: String
    /// The record's version after the op.
    public var version: Int?
    /// The record as it now is (absent when deleted or refused).
    public var record: Record?
    /// Fields whose server values the record kept (merged or conflict).
    public var serverFields: [String]?
    /// Conflict records written.
    public var conflicts: [Record]?
    /// A record that already exists and matches (a duplicate, or the record joined through a global key).
    public var existing: String?
    public var issues: [FieldIssue]?
    public var message: String?
    /// The op id this op waited for.
    public var heldBy: String?

    public init(
        opId: String, status: Status, id: String, version: Int? = nil, record: Record? = nil,
        serverFields: [String]? = nil, conflicts: [Record]? = nil, existing: String? = nil,
        issues: [FieldIssue]? = nil, message: String? = nil, heldBy: String? = nil
    ) {
        self.opId = opId
        self.status = status
        self.id = id
        self.version = version
        self.record = record
        self.serverFields = serverFields
        self.conflicts = conflicts
        self.existing = existing
        self.issues = issues
        self.message = message
        self.heldBy = heldBy
    }
}

/// The answer to a push: one result per op, in the order sent.
public struct SyncPushResponse: Codable, Sendable {
    public var protocolVersion: Int
    public var results: [SyncOpResult]

    public init(protocolVersion: Int = ProtocolVersion.current, results: [SyncOpResult]) {
        self.protocolVersion = protocolVersion
        self.results = results
    }
}

/// `POST /api/v1/conflicts/{id}/resolve`: choose the value a conflict settles on.
public struct ConflictResolution: Codable, Sendable {
    public enum Choice: String, Codable, Sendable {
        /// Keep what the server has (for a delete-vs-update: keep the record).
        case server
        /// Take the device's value (for an update-vs-delete: restore the record with the edit; for a
        /// delete-vs-update: delete it).
        case client
        /// Write `value`.
        case value
    }

    public var choose: Choice
    public var value: FieldValue?

    public init(choose: Choice, value: FieldValue? = nil) {
        self.choose = choose
        self.value = value
    }
}

/// The answer to a resolve: the conflict, now resolved, and the record as the choice left it.
public struct ResolvedConflict: Codable, Sendable {
    public var conflict: Record
    public var record: Record?

    public init(conflict: Record, record: Record?) {
        self.conflict = conflict
        self.record = record
    }
}
