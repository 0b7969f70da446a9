import CRMModel
import CRMSyncProtocol
import Foundation

/// A record as the user sees it on this desktop: the last server copy with the outbox's ops applied.
public struct LocalRecord: Sendable, Equatable {
    /// The fields after local edits; `version` is the server copy's (0 for a record not yet on the server).
    public var record: CRMModel.Record
    /// Came only as the target of a reference: read-only here.
    public var incomplete: Bool
    /// The server copy's version; nil for a record created here and not yet confirmed.
    public var serverVersion: Int?
    /// Unsent ops on the record, and how many of them failed.
    public var pendingOps: Int
    public var failedOps: Int
    /// Deleted on this desktop; the delete has not been confirmed yet.
    public var deletedLocally: Bool

    public init(
        record: CRMModel.Record, incomplete: Bool = false, serverVersion: Int?, pendingOps: Int = 0, failedOps: Int = 0,
        deletedLocally: Bool = false
    ) {
        self.record = record
        self.incomplete = incomplete
        self.serverVersion = serverVersion
        self.pendingOps = pendingOps
        self.failedOps = failedOps
        self.deletedLocally = deletedLocally
    }

    public var id: String { record.id }
    public var type: String { record.type }
    public var fields: [String: FieldValue] { record.fields }
}

/// How an op changes the record a user sees, before the server confirms it. The server applies the same op with
/// merge and validation; this is the optimistic view of it.
enum LocalOverlay {
    static func apply(_ op: SyncOp, to current: CRMModel.Record?, user: String) -> CRMModel.Record? {
        switch op.kind {
        case .create:
            let fields = (op.fields ?? [:]).filter { !$0.value.isNull }
            return Record(
                id: op.id, type: op.type, version: 0, owner: op.owner ?? user, team: op.team ?? [],
                createdAt: op.editedAt, updatedAt: op.editedAt, updatedBy: user, fields: fields)
        case .update:
            guard var record = current else { return nil }
            for (name, value) in op.fields ?? [:] {
                if value.isNull { record.fields.removeValue(forKey: name) } else { record.fields[name] = value }
            }
            if let owner = op.owner { record.owner = owner }
            if let team = op.team { record.team = Set(team).sorted() }
            record.updatedAt = op.editedAt
            record.updatedBy = user
            return record
        case .delete:
            guard var record = current else { return nil }
            record.deleted = true
            return record
        case .link, .unlink:
            guard var record = current, let field = op.field, let target = op.target else { return current }
            let linking = op.kind == .link
            switch record.fields[field] {
            case .array(let values):
                var ids = Set(values.compactMap(\.stringValue))
                if linking { ids.insert(target) } else { ids.remove(target) }
                record.fields[field] = .array(ids.sorted().map(FieldValue.string))
            case .string(let id):
                if linking {
                    record.fields[field] = .string(target)
                } else if id == target {
                    record.fields.removeValue(forKey: field)
                }
            default:
                if linking { record.fields[field] = op.kind == .link && isMany(op) ? .array([.string(target)]) : .string(target) }
            }
            record.updatedAt = op.editedAt
            record.updatedBy = user
            return record
        }
    }

    /// A link op on a field that holds no value yet: many-to-many fields end in `Ids` (DESIGN section 2).
    private static func isMany(_ op: SyncOp) -> Bool { op.field?.hasSuffix("Ids") ?? false }
}
