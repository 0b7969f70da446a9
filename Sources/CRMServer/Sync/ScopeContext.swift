import CRMModel
import CRMStore
import CRMSyncProtocol
import Foundation

/// What decides, for one device in one session, whether a record belongs on it: the user's visibility,
/// their role's view of the package, and the session's resolved filter.
struct ScopeContext: Sendable {
    let caller: Caller
    let filter: ResolvedFilter
    let device: String
    /// Made once: building a calendar per record costs more than the rest of the check.
    let calendar: Calendar

    init(caller: Caller, filter: ResolvedFilter, device: String) {
        self.caller = caller
        self.filter = filter
        self.device = device
        self.calendar = filter.calendar
    }

    var user: String { caller.user.name }

    /// The types a rescan walks, in order: the filter's types the role sees, then conflicts.
    var syncedTypes: [String] {
        filter.types.keys.filter { caller.package.types[$0] != nil }.sorted() + [ConflictRecord.typeName]
    }

    /// The visibility to query a type with: conflicts reach only their two authors.
    func visibility(for type: String) -> VisibilityScope {
        type == ConflictRecord.typeName ? .users([user]) : caller.scope
    }

    /// The record may exist for the user at all (visibility and role).
    func canHold(_ record: Record) -> Bool {
        guard !record.deleted else { return false }
        if record.type == ConflictRecord.typeName { return record.owner == user || record.team.contains(user) }
        return caller.package.types[record.type] != nil && caller.canSee(record)
    }

    /// The record belongs on the device through its filter.
    func inFilter(_ record: Record) -> Bool {
        guard canHold(record) else { return false }
        if record.type == ConflictRecord.typeName { return true }
        return filter.matches(record, user: user, calendar: calendar)
    }

    /// The record as the caller's role shows it: the record itself, without a copy, when the role shows every
    /// field it has (the common case, checked key by key instead of filtering two dictionaries per record).
    func present(_ record: Record) -> Record {
        if record.type != ConflictRecord.typeName, let type = caller.package.types[record.type],
            record.fields.keys.allSatisfy({ type.fields[$0] != nil }),
            record.fieldVersions.keys.allSatisfy({ type.fields[$0] != nil })
        {
            return record
        }
        return caller.present(record)
    }

    /// Why a record the device held is leaving it.
    func removeReason(_ record: Record?) -> RemoveReason {
        guard let record, !record.deleted else { return .deleted }
        return canHold(record) ? .leftFilter : .lostVisibility
    }

    /// The ids a record references, by its type in the base package.
    func references(of record: Record) -> [String] {
        guard let type = caller.base.types[record.type] else { return [] }
        return type.references(in: record.fields).map(\.target)
    }
}
