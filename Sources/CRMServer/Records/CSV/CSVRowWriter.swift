import CRMModel
import CRMStore
import Foundation

/// Writes the rows of an import inside a write transaction, each in a savepoint, by the rules of the REST
/// API's creates and updates (`RecordService`): the validator of the user's role, references to live records
/// the user sees, owner and team checks, global keys and duplicate rules checked in the transaction, and the
/// one field merge. A refused row rolls back to its savepoint and the others go on.
struct CSVRowWriter: Sendable {
    let caller: Caller
    let typeName: String
    /// The caller's view of the type (what they may see and write).
    let type: ObjectType
    /// The type as stored (rules, keys, duplicate rules, conflict policies).
    let baseType: ObjectType
    /// Every user by name, read once per import, for owner and team checks.
    let users: [String: User]
    let duplicates: CSVDuplicateChoice
    let now: Date

    /// One reason a row is refused.
    struct Issue: Error, Sendable, Equatable {
        var field: String?
        var reason: String
    }

    /// What became of a row; a match names the existing record the duplicate rules or a global key found.
    enum Outcome: Sendable {
        case created(String)
        case updated(KeyedCreate.Match?)
        case unchanged(KeyedCreate.Match?)
        case skipped(KeyedCreate.Match)
        case linked(KeyedCreate.Match)
        case rejected([Issue])
    }

    struct BatchResult: Sendable {
        var outcomes: [Outcome] = []
        /// Owners and team members of the records written, before and after, to wake their long-polls.
        var people: Set<String> = []
    }

    private struct Refused: Error {
        var issues: [Issue]
        init(_ issues: [Issue]) { self.issues = issues }
        init(_ field: String?, _ reason: String) { self.issues = [Issue(field: field, reason: reason)] }
    }

    func apply(_ rows: [CSVRow], _ tx: any PushTransaction) throws -> BatchResult {
        var result = BatchResult()
        for row in rows {
            do {
                let outcome = try tx.savepoint { try apply(row, tx, people: &result.people) }
                result.outcomes.append(outcome)
            } catch let refused as Refused {
                result.outcomes.append(.rejected(refused.issues))
            } catch let error as StoreError {
                guard let issue = issue(for: error) else { throw error }
                result.outcomes.append(.rejected([issue]))
            }
        }
        return result
    }

    private func apply(_ row: CSVRow, _ tx: any PushTransaction, people: inout Set<String>) throws -> Outcome {
        if let id = row.id, let existing = try tx.record(id: id) {
            // A hidden record, a deleted one and one of another type are alike "none you can see", as on every
            // route: the answer must not tell them apart.
            guard caller.canSee(existing), existing.type == typeName, !existing.deleted else {
                throw Refused("id", "no \(typeName) you can see has the id \(id)")
            }
            return try update(existing, with: row, match: nil, tx, people: &people)
        }
        return try create(row, tx, people: &people)
    }

    private func create(_ row: CSVRow, _ tx: any PushTransaction, people: inout Set<String>) throws -> Outcome {
        let fields = try validated(row.fields.filter { !$0.value.isNull }, merged: [:], cellIssues: row.issues)
        try checkReferences(fields, tx)
        let owner = row.owner ?? caller.user.name
        try checkAssignment(owner: owner, team: row.team, currentOwner: nil)
        let stamp = FieldStamp(version: 1, at: now)
        let values = fields.filter { !$0.value.isNull }
        let record = Record(
            id: row.id ?? RecordID.make(at: now), type: typeName, owner: owner, team: Set(row.team ?? []).sorted(),
            createdAt: now, updatedAt: now, updatedBy: caller.user.name, fields: values,
            fieldVersions: values.mapValues { _ in stamp })
        if let match = try KeyedCreate.match(record, type: baseType, caller: caller, insist: false, tx) {
            return try matched(match, row: row, tx, people: &people)
        }
        let stored = try tx.insert(record)
        people.formUnion([stored.owner] + stored.team)
        return .created(stored.id)
    }

    /// A row that repeats `match.existing`: skip it, link to it, or give it the row's values.
    private func matched(_ match: KeyedCreate.Match, row: CSVRow, _ tx: any PushTransaction, people: inout Set<String>)
        throws -> Outcome
    {
        guard let existing = try tx.record(id: match.existing) else { throw Refused(nil, "the matched record is gone") }
        switch duplicates {
        case .skip:
            return .skipped(match)
        case .link:
            // A global key held by a record the user cannot see: join its team, as a synced create does.
            if !caller.canSee(existing) {
                let joined = existing.assigned(
                    owner: nil, team: existing.team + [caller.user.name], by: caller.user.name, at: now,
                    since: existing)
                people.formUnion([joined.owner] + joined.team)
                _ = try tx.update(joined)
            }
            return .linked(match)
        case .update:
            guard caller.canSee(existing) else {
                throw Refused(
                    match.fields.first,
                    "a \(typeName) you cannot see holds the same \(match.fields.joined(separator: " and ")) "
                        + "(a global key); import with duplicates 'link' to join it")
            }
            return try update(existing, with: row, match: match, tx, people: &people)
        }
    }

    /// Gives `current` the row's values (only those that differ are written), through the one field merge.
    private func update(
        _ current: Record, with row: CSVRow, match: KeyedCreate.Match?, _ tx: any PushTransaction,
        people: inout Set<String>
    ) throws -> Outcome {
        let changes = row.fields.filter { (current.fields[$0.key] ?? .null) != $0.value }
        let owner = row.owner.flatMap { $0 == current.owner ? nil : $0 }
        let team = row.team.flatMap { Set($0).sorted() == current.team ? nil : $0 }
        guard !changes.isEmpty || owner != nil || team != nil || !row.issues.isEmpty else { return .unchanged(match) }
        let fields = try validated(changes, merged: current.fields, cellIssues: row.issues)
        try checkReferences(fields, tx)
        if owner != nil || team != nil {
            try checkAssignment(owner: owner ?? current.owner, team: team, currentOwner: current.owner)
        }
        let merged = RecordMerge.merge(
            server: current, baseVersion: current.version, changes: fields, editTime: now, type: baseType)
        let next = current.applying(merged.changes, by: caller.user.name, at: now)
            .assigned(owner: owner, team: team, by: caller.user.name, at: now, since: current)
        guard next != current else { return .unchanged(match) }
        let stored = try tx.update(next)
        people.formUnion([current.owner, stored.owner] + current.team + stored.team)
        return .updated(match)
    }

    // MARK: - Checks (as RecordService makes them)

    /// The validated changes; every issue of the row at once otherwise: its cells that did not fit their
    /// fields, then what the validator finds (leaving out "required" for a field whose cell did not fit).
    private func validated(_ changes: [String: FieldValue], merged: [String: FieldValue], cellIssues: [Issue])
        throws -> [String: FieldValue]
    {
        switch caller.validator.check(typeName: typeName, changes: changes, merged: merged) {
        case .success(let fields):
            if !cellIssues.isEmpty { throw Refused(cellIssues) }
            return fields
        case .failure(let failure):
            let bad = Set(cellIssues.compactMap(\.field))
            let found = failure.issues.filter { !bad.contains($0.field) }
                .map { Issue(field: $0.field, reason: $0.message) }
            throw Refused(cellIssues + found)
        }
    }

    private func checkReferences(_ fields: [String: FieldValue], _ tx: any PushTransaction) throws {
        let issues = try caller.referenceIssues(type: type, fields: fields) { try tx.record(id: $0) }
        if !issues.isEmpty { throw Refused(issues.map { Issue(field: $0.field, reason: $0.message) }) }
    }

    /// Owner and team must be enabled users; only a user who sees beyond their own records may give a record
    /// to someone else, and then only to a user inside their visibility.
    private func checkAssignment(owner: String, team: [String]?, currentOwner: String?) throws {
        if owner != (currentOwner ?? caller.user.name), case .users(let visible) = caller.scope,
            !visible.contains(owner)
        {
            throw Refused("owner", "you cannot give a record to '\(owner)'")
        }
        for name in [owner] + (team ?? []) where users[name]?.enabled != true {
            throw Refused(name == owner ? "owner" : "team", "no enabled user '\(name)'")
        }
    }

    /// The row-level reason for a store error met while writing one row; nil for errors that end the import.
    private func issue(for error: StoreError) -> Issue? {
        switch error {
        case .keyTaken(_, let field, let holder):
            return Issue(field: field, reason: "the \(typeName) \(holder) already has this \(field) (a global key)")
        case .missingReference(let target):
            return Issue(field: nil, reason: "no record \(target) to refer to")
        case .alreadyExists:
            return Issue(field: "id", reason: "a record with this id already exists")
        default:
            return nil
        }
    }
}
