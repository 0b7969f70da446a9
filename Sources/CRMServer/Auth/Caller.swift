import CRMModel
import CRMStore

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

    public var isAdmin: Bool { package.role?.admin ?? false }

    /// Whether the caller may see `record`.
    public func canSee(_ record: Record) -> Bool { scope.contains(record) }

    /// The record as the caller's role shows it: fields the role hides are left out.
    public func present(_ record: Record) -> Record {
        guard let type = package.types[record.type] else { return record }
        var shown = record
        shown.fields = record.fields.filter { type.fields[$0.key] != nil }
        shown.fieldVersions = record.fieldVersions.filter { type.fields[$0.key] != nil }
        return shown
    }

    public var validator: RecordValidator { RecordValidator(base: base, view: package) }
}
