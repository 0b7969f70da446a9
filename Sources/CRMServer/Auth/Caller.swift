import CRMModel
import CRMStore
import CRMSyncProtocol

/// The authenticated user of a request, with their role's package and the records they may see.
public struct Caller: Sendable {
    public var user: User
    /// The base package records are stored and validated against.
    public var base: CustomizationPackage
    /// The user's role's view of it.
    public var package: CustomizationPackage
    public var scope: VisibilityScope
    public var tokenHash: String
    /// The id of the device the session was opened for; nil for a session opened without one.
    public var device: String?
    /// That device as authentication read it (not revoked then), so that a sync request need not read it again.
    public var sessionDevice: Device? = nil

    public var isAdmin: Bool { package.role?.admin ?? false }

    /// Whether the caller may see `record`: a conflict only its authors (and administrators), as the conflict list
    /// and the sync feed have it, not their managers; any other record inside the caller's scope.
    public func canSee(_ record: Record) -> Bool {
        if record.type == ConflictRecord.typeName {
            return isAdmin || record.owner == user.name || record.team.contains(user.name)
        }
        return scope.contains(record)
    }

    /// The record as the caller's role shows it: fields the role hides are left out.
    public func present(_ record: Record) -> Record {
        if record.type == ConflictRecord.typeName { return presentConflict(record) }
        guard let type = package.types[record.type] else { return record }
        var shown = record
        shown.fields = record.fields.filter { type.fields[$0.key] != nil }
        shown.fieldVersions = record.fieldVersions.filter { type.fields[$0.key] != nil }
        return shown
    }

    public var validator: RecordValidator { RecordValidator(base: base, view: package) }

    /// A conflict shows only the values of fields the caller's role shows: the other author's role may hide
    /// the field the conflict is about.
    private func presentConflict(_ record: Record) -> Record {
        let visibleFields = record.fields["recordType"]?.stringValue.flatMap { package.types[$0] }?.fields ?? [:]
        var shown = record
        if let field = record.fields["field"]?.stringValue, visibleFields[field] == nil {
            for key in ["serverValue", "clientValue", "resolution"] { shown.fields[key] = nil }
        }
        if case .object(let edit) = record.fields["clientValue"] ?? .null {
            shown.fields["clientValue"] = .object(edit.filter { visibleFields[$0.key] != nil })
        }
        if let changed = record.fields["fields"]?.stringArray {
            shown.fields["fields"] = .array(changed.filter { visibleFields[$0] != nil }.map(FieldValue.string))
        }
        shown.fieldVersions = shown.fieldVersions.filter { shown.fields[$0.key] != nil }
        return shown
    }
}
