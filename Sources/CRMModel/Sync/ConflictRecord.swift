import Foundation

/// A conflict kept as a record of the server's own type `Conflict`, so that it travels in the change feed to
/// the devices of both authors like any record, and nothing that lost a merge is ever lost.
///
/// Its fields: `recordId`, `recordType`, `kind`, `field`, `rule`, `serverValue`, `clientValue`,
/// `serverVersion`, `baseVersion`, `serverAuthor`, `clientAuthor`, `serverTime`, `clientTime`, `winner`,
/// `status` (`open` or `resolved`), and once resolved `resolvedBy`, `resolvedAt`, `resolution`.
public enum ConflictRecord {
    /// The record type of conflicts; a package may not define a type of this name.
    public static let typeName = "Conflict"

    /// What collided.
    public enum Kind: String, Codable, Sendable {
        /// A field changed on both sides.
        case field
        /// The device edited a record that was deleted meanwhile; the edit is kept here.
        case updateDeleted = "update-deleted"
        /// The device deleted a record that was changed meanwhile; the record stays.
        case deleteUpdated = "delete-updated"
        /// The device created a record that matches a duplicate rule on one the user may see.
        case duplicate
    }

    /// A conflict record for a field settled (or left open) by the merge.
    public static func make(
        _ conflict: FieldConflict, record: Record, serverAuthor: String, clientAuthor: String, now: Date
    ) -> Record {
        var fields: [String: FieldValue] = [
            "kind": .string(Kind.field.rawValue), "field": .string(conflict.field),
            "rule": .string(conflict.rule.rawValue), "serverValue": conflict.serverValue,
            "clientValue": conflict.clientValue, "serverVersion": .number(Decimal(conflict.serverVersion)),
            "baseVersion": .number(Decimal(conflict.baseVersion)),
            "serverTime": .string(Timestamp.string(from: conflict.serverTime)),
            "clientTime": .string(Timestamp.string(from: conflict.clientTime)),
            "winner": .string(conflict.winner.rawValue), "status": .string(conflict.open ? "open" : "resolved"),
        ]
        if !conflict.open {
            fields["resolvedBy"] = .string("policy")
            fields["resolvedAt"] = .string(Timestamp.string(from: now))
            fields["resolution"] = conflict.winner == .server ? conflict.serverValue : conflict.clientValue
        }
        return make(
            kind: .field, record: record, fields: fields, serverAuthor: serverAuthor, clientAuthor: clientAuthor,
            now: now)
    }

    /// A conflict record of another kind; `fields` holds what the device sent (kept whole) and what it met.
    public static func make(
        kind: Kind, record: Record, fields extra: [String: FieldValue], serverAuthor: String, clientAuthor: String,
        now: Date, open: Bool = true
    ) -> Record {
        var fields = extra
        fields["kind"] = .string(kind.rawValue)
        fields["recordId"] = .string(record.id)
        fields["recordType"] = .string(record.type)
        fields["serverAuthor"] = .string(serverAuthor)
        fields["clientAuthor"] = .string(clientAuthor)
        if fields["status"] == nil { fields["status"] = .string(open ? "open" : "resolved") }
        fields = fields.filter { !$0.value.isNull || $0.key == "serverValue" || $0.key == "clientValue" }
        let stamp = FieldStamp(version: 1, at: now)
        return Record(
            id: RecordID.make(at: now), type: typeName, owner: clientAuthor,
            team: serverAuthor == clientAuthor ? [] : [serverAuthor], createdAt: now, updatedAt: now,
            updatedBy: clientAuthor, fields: fields, fieldVersions: fields.mapValues { _ in stamp })
    }

    /// Whether a conflict record is still waiting for someone to choose.
    public static func isOpen(_ record: Record) -> Bool {
        record.type == typeName && record.fields["status"]?.stringValue == "open"
    }
}
