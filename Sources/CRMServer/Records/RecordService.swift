import CRMModel
import CRMStore
import CRMSyncProtocol
import Foundation

/// Reads and writes records for a caller: visibility on every access (an invisible record does not exist),
/// validation against the package, references checked to be live and visible, versions checked on request.
public struct RecordService: Sendable {
    let store: any ServerStore
    let configuration: ServerConfiguration
    /// Wakes sync long-polls after each write.
    let signal: ChangeSignal?

    public init(store: any ServerStore, configuration: ServerConfiguration, signal: ChangeSignal? = nil) {
        self.store = store
        self.configuration = configuration
        self.signal = signal
    }

    /// A page of the live records of `typeName` the caller may see.
    public func list(_ caller: Caller, typeName: String, parameters: [(String, String)]) async throws -> RecordListPage {
        let type = try visibleType(caller, typeName)
        var query = RecordQuery(type: typeName, visibility: caller.scope, limit: 50)
        for (name, value) in parameters {
            switch name {
            case "limit":
                guard let limit = Int(value), limit >= 1 else {
                    throw CRMError(.malformed, "limit is a whole number of at least 1", field: "limit")
                }
                query.limit = min(limit, configuration.maxPageSize)
            case "cursor":
                query.cursor = value
            case "sort":
                let descending = value.hasPrefix("-")
                let field = descending ? String(value.dropFirst()) : value
                guard type.fields[field] != nil || RecordSort.systemFields.contains(field) else {
                    throw CRMError(.malformed, "cannot sort by unknown field '\(field)'", field: "sort")
                }
                query.sort = RecordSort(field: field, descending: descending)
            default:
                guard let field = type.fields[name] else {
                    throw CRMError(.malformed, "\(typeName) has no field '\(name)' to filter by", field: name)
                }
                query.filters.append(try Self.filter(name, field, value))
            }
        }
        do {
            let page = try await store.list(query)
            return RecordListPage(records: page.records.map(caller.present), nextCursor: page.nextCursor)
        } catch is InvalidCursor {
            throw CRMError(.malformed, "the cursor is not one this server gave out", field: "cursor")
        }
    }

    /// The live record `id` of `typeName`, if the caller may see it.
    public func read(_ caller: Caller, typeName: String, id: String) async throws -> Record {
        // A type the role hides (and conflicts, which are no type of a package) is not read here either.
        _ = try visibleType(caller, typeName)
        return caller.present(try await visibleRecord(caller, typeName, id))
    }

    /// Creates a record. The package's global keys and duplicate rules apply as to a pushed create, checked in
    /// the write transaction: a live record with the same global key, or one the caller sees matching a
    /// duplicate rule, is answered 409 naming it (`insist` skips the duplicate rules, never the keys, which the
    /// store's key table enforces in any case).
    public func create(
        _ caller: Caller, typeName: String, write: RecordWrite, insist: Bool = false, now: Date = Timestamp.now()
    ) async throws -> Record {
        let type = try visibleType(caller, typeName)
        let id = try write.id.map { text in
            guard let id = RecordID.canonical(text) else {
                throw CRMError(.malformed, "'\(text)' is not a UUID", field: "id")
            }
            return id
        } ?? RecordID.make()
        let fields = try validate(caller, typeName, changes: write.fields, merged: [:])
        try await checkAttachments(caller, typeName, changes: fields, current: [:])
        _ = try await checkReferences(caller, type: type, fields: fields)
        let owner = write.owner ?? caller.user.name
        try await checkAssignment(caller, owner: owner, team: write.team, currentOwner: nil)
        guard let baseType = caller.base.types[typeName] else { throw CRMError.notFound("type \(typeName)") }
        let stamp = FieldStamp(version: 1, at: now)
        let record = Record(
            id: id, type: typeName, owner: owner, team: Set(write.team ?? []).sorted(), createdAt: now, updatedAt: now,
            updatedBy: caller.user.name, fields: fields.filter { !$0.value.isNull },
            fieldVersions: fields.filter { !$0.value.isNull }.mapValues { _ in stamp })
        do {
            let outcome = try await store.push { tx in
                if let match = try KeyedCreate.match(record, type: baseType, caller: caller, insist: insist, tx) {
                    return KeyedCreate.Outcome.matched(match)
                }
                return .stored(try tx.insert(record))
            }
            switch outcome {
            case .matched(let match): throw match.error(typeName: typeName)
            case .stored(let stored):
                await announce(Set([stored.owner] + stored.team))
                return caller.present(stored)
            }
        } catch StoreError.alreadyExists {
            throw CRMError(.conflict, "a record with id \(id) already exists", field: "id")
        } catch StoreError.missingReference(let target) {
            throw referenceGone(target, type: type, fields: fields)
        } catch StoreError.keyTaken(_, let field, let holder) {
            throw KeyedCreate.Match(kind: .globalKey, fields: [field], existing: holder).error(typeName: typeName)
        }
    }

    /// Changes only the fields sent; with `expectedVersion` a stale caller gets the current record back.
    public func update(
        _ caller: Caller, typeName: String, id: String, write: RecordWrite, expectedVersion: Int?, now: Date = Timestamp.now()
    ) async throws -> Record {
        let type = try visibleType(caller, typeName)
        let current = try await visibleRecord(caller, typeName, id)
        if let expectedVersion, expectedVersion != current.version {
            throw CRMError(.staleVersion(current: caller.present(current)), "the record changed since version \(expectedVersion)")
        }
        let fields = try validate(caller, typeName, changes: write.fields, merged: current.fields)
        try await checkAttachments(caller, typeName, changes: fields, current: current.fields)
        let references = try await checkReferences(caller, type: type, fields: fields)
        if write.owner != nil || write.team != nil {
            try await checkAssignment(caller, owner: write.owner ?? current.owner, team: write.team, currentOwner: current.owner)
        }
        let validator = caller.validator
        let user = caller.user.name
        guard let baseType = caller.base.types[typeName] else { throw CRMError.notFound("type \(typeName)") }
        do {
            let updated = try await store.update(id: id, expectedVersion: expectedVersion, references: references) {
                latest in
                // Checked again on the record as it is inside the transaction: a concurrent change may have
                // altered a field a rule compares with.
                if case .failure(let failure) = validator.check(typeName: typeName, changes: fields, merged: latest.fields) {
                    throw failure
                }
                // The REST route writes from the version it names (If-Match) or from the current one, so the merge
                // applies every field; sync pushes go through the same merge from older base versions.
                let merged = RecordMerge.merge(
                    server: latest, baseVersion: expectedVersion ?? latest.version, changes: fields, editTime: now,
                    type: baseType)
                return latest.applying(merged.changes, by: user, at: now)
                    .assigned(owner: write.owner, team: write.team, by: user, at: now, since: latest)
            }
            await announce(Set([updated.owner, current.owner] + updated.team + current.team))
            return caller.present(updated)
        } catch StoreError.versionMismatch(let latest) {
            throw CRMError(.staleVersion(current: caller.present(latest)), "the record changed since version \(expectedVersion ?? 0)")
        } catch let failure as ValidationFailure {
            throw CRMError.validation(failure.issues)
        } catch StoreError.notFound {
            throw CRMError.notFound("\(typeName) \(id)")
        } catch StoreError.missingReference(let target) {
            throw referenceGone(target, type: type, fields: fields)
        } catch StoreError.keyTaken(_, let field, let holder) {
            throw KeyedCreate.Match(kind: .globalKey, fields: [field], existing: holder).error(typeName: typeName)
        }
    }

    /// Wakes the long-polls of those who may see a change to records owned by or shared with `direct`.
    private func announce(_ direct: Set<String>) async {
        guard let signal else { return }
        await ChangeAnnouncer(store: store, signal: signal).announce(direct)
    }

    /// Deletes a record, following the package's `onDelete` rule of every reference to it.
    public func delete(_ caller: Caller, typeName: String, id: String, expectedVersion: Int?, now: Date = Timestamp.now())
        async throws -> DeleteOutcome
    {
        _ = try visibleType(caller, typeName)
        let current = try await visibleRecord(caller, typeName, id)
        if let expectedVersion, expectedVersion != current.version {
            throw CRMError(.staleVersion(current: caller.present(current)), "the record changed since version \(expectedVersion)")
        }
        let base = caller.base
        do {
            let outcome = try await store.delete(id: id, expectedVersion: expectedVersion, by: caller.user.name, at: now) {
                base.references(to: $0)
            }
            await announce(Set((outcome.deleted + outcome.updated + [current]).flatMap { [$0.owner] + $0.team }))
            return outcome
        } catch StoreError.restricted(let sourceType, _, let field) {
            throw CRMError(
                .conflict, "the \(typeName) is still referenced by a \(sourceType) through '\(field)'; "
                    + "remove that reference first", field: field)
        } catch StoreError.versionMismatch(let latest) {
            throw CRMError(.staleVersion(current: caller.present(latest)), "the record changed since version \(expectedVersion ?? 0)")
        } catch StoreError.notFound {
            throw CRMError.notFound("\(typeName) \(id)")
        }
    }

    // MARK: - Checks

    private func visibleType(_ caller: Caller, _ typeName: String) throws -> ObjectType {
        guard let type = caller.package.types[typeName] else {
            throw CRMError(.notFound, "there is no record type '\(typeName)'", field: "type")
        }
        return type
    }

    private func visibleRecord(_ caller: Caller, _ typeName: String, _ id: String) async throws -> Record {
        guard let canonical = RecordID.canonical(id), let record = try await store.record(id: canonical),
            record.type == typeName, !record.deleted, caller.canSee(record)
        else { throw CRMError.notFound("\(typeName) \(id)") }
        return record
    }

    private func validate(
        _ caller: Caller, _ typeName: String, changes: [String: FieldValue], merged: [String: FieldValue]
    ) throws -> [String: FieldValue] {
        switch caller.validator.check(typeName: typeName, changes: changes, merged: merged) {
        case .success(let fields): return fields
        case .failure(let failure): throw CRMError.validation(failure.issues)
        }
    }

    /// Every id the changed reference fields name must be a live record the caller may see, of a type the
    /// field allows. Returns the ids, for the store to check again inside its transaction.
    private func checkReferences(_ caller: Caller, type: ObjectType, fields: [String: FieldValue]) async throws
        -> Set<String>
    {
        let wanted = type.references(in: fields)
        let ids = Set(wanted.map(\.target))
        guard !ids.isEmpty else { return [] }
        let found = Dictionary(uniqueKeysWithValues: try await store.records(ids: Array(ids)).map { ($0.id, $0) })
        let issues = caller.referenceIssues(type: type, fields: fields) { found[$0] }
        if !issues.isEmpty { throw CRMError.validation(issues) }
        return ids
    }

    /// Each attachment the write adds must name stored content of the size it lists (`AttachmentCheck`).
    private func checkAttachments(
        _ caller: Caller, _ typeName: String, changes: [String: FieldValue], current: [String: FieldValue]
    ) async throws {
        guard let type = caller.base.types[typeName] else { return }
        let issues = try await AttachmentCheck.issues(
            type: type, changes: changes, current: current, caller: caller, store: store)
        if !issues.isEmpty { throw CRMError.validation(issues) }
    }

    private func referenceGone(_ target: String, type: ObjectType, fields: [String: FieldValue]) -> CRMError {
        let field = type.references(in: fields).first { $0.target == target }?.field ?? "fields"
        return CRMError.validation([FieldIssue(field: field, code: .reference, message: "no record \(target) to refer to")])
    }

    /// Owner and team must be enabled users; only callers who see beyond their own records may give a record
    /// to someone else, and then only to a user inside their visibility.
    private func checkAssignment(_ caller: Caller, owner: String, team: [String]?, currentOwner: String?) async throws {
        if owner != (currentOwner ?? caller.user.name) {
            if case .users(let users) = caller.scope, !users.contains(owner) {
                throw CRMError(.forbidden, "you cannot give a record to '\(owner)'", field: "owner")
            }
        }
        for name in [owner] + (team ?? []) {
            guard let user = try await store.user(named: name), user.enabled else {
                throw CRMError(.validation([FieldIssue(field: name == owner ? "owner" : "team", code: .reference,
                    message: "no enabled user '\(name)'")]), "no enabled user '\(name)'",
                    field: name == owner ? "owner" : "team")
            }
        }
    }

    static func filter(_ name: String, _ field: FieldDefinition, _ text: String) throws -> FieldFilter {
        switch field.kind {
        case .number, .currency:
            guard let number = Decimal(string: text, locale: Locale(identifier: "en_US_POSIX")) else {
                throw CRMError(.malformed, "'\(text)' is not a number", field: name)
            }
            return FieldFilter(field: name, value: .number(number), isReference: false)
        case .boolean:
            guard text == "true" || text == "false" else {
                throw CRMError(.malformed, "'\(text)' is not true or false", field: name)
            }
            return FieldFilter(field: name, value: .bool(text == "true"), isReference: false)
        case .reference, .references:
            guard let id = RecordID.canonical(text) else {
                throw CRMError(.malformed, "'\(text)' is not a record id", field: name)
            }
            return FieldFilter(field: name, value: .string(id), isReference: true)
        default:
            return FieldFilter(field: name, value: .string(text), isReference: false)
        }
    }
}
