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
    /// Per type, the fields a decision reads (its references), or nil when it reads them all (the filter has
    /// conditions or a window). Made once, like the calendar.
    private let decisionFields: [String: Set<String>?]

    init(caller: Caller, filter: ResolvedFilter, device: String) {
        self.caller = caller
        self.filter = filter
        self.device = device
        self.calendar = filter.calendar
        var decisionFields: [String: Set<String>?] = [:]
        for (name, type) in caller.base.types {
            if let typeFilter = filter.types[name], !typeFilter.conditions.isEmpty || typeFilter.window != nil {
                decisionFields[name] = .some(nil)
            } else {
                decisionFields[name] = Set(type.fields.filter { $0.value.kind.isReference }.keys)
            }
        }
        self.decisionFields = decisionFields
    }

    var user: String { caller.user.name }

    /// The types a rescan walks, in order: the filter's types and those of records held by hand that the role
    /// sees, then conflicts.
    var syncedTypes: [String] {
        Set(filter.types.keys).union(filter.fetched.map { Array($0.values) } ?? []).filter { caller.package.types[$0] != nil }
            .sorted() + [ConflictRecord.typeName]
    }

    /// The types a rescan walks when the cursor names some (types due again after a deferral), in order.
    func rescannedTypes(_ named: [String]?) -> [String] {
        guard let named else { return syncedTypes }
        return syncedTypes.filter { named.contains($0) }
    }

    /// Whether the session passes over changes of `type` (its `syncEvery` has not come round for the device).
    func defers(_ type: String) -> Bool { filter.deferredTypes?.contains(type) ?? false }

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

    /// A stored record read as far as deciding its place needs: its system columns and the fields its type's
    /// filter and references read; the rest stays text, spliced into the page as it is when the role shows
    /// every field the record has.
    func candidate(_ stored: StoredRecord) throws -> PageCandidate {
        if stored.type == ConflictRecord.typeName || caller.package.types[stored.type] == nil {
            return PageCandidate(stored: stored, record: try stored.record(), names: nil)
        }
        let wanted = decisionFields[stored.type] ?? []
        let (names, values) = try stored.fields(decoding: { name in wanted.map { $0.contains(name) } ?? true })
        return PageCandidate(stored: stored, record: stored.head(fields: values), names: names)
    }

    /// The candidate as the page carries it: its stored text when the role shows every field it has and
    /// stamps, else the record decoded whole and presented (`present`).
    func pageBody(_ candidate: PageCandidate) throws -> PageBody {
        if let names = candidate.names, let type = caller.package.types[candidate.stored.type],
            names.allSatisfy({ type.fields[$0] != nil }),
            try candidate.stored.stampedNames().allSatisfy({ type.fields[$0] != nil })
        {
            return .stored(candidate.stored, names: names)
        }
        let record = candidate.names == nil ? candidate.record : try candidate.stored.record()
        return .decoded(present(record))
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
