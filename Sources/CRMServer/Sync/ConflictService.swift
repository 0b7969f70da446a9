import CRMModel
import CRMStore
import CRMSyncProtocol
import Foundation

/// Lists a user's conflict records and resolves them: the chosen value is written to the record as a new
/// version and the conflict is marked resolved, in one transaction; both travel in the change feed.
public struct ConflictService: Sendable {
    let store: any ServerStore
    let signal: ChangeSignal

    public init(store: any ServerStore, signal: ChangeSignal) {
        self.store = store
        self.signal = signal
    }

    /// The caller's conflicts (as either author), newest first; `status` is `open`, `resolved` or nil for all.
    public func list(_ caller: Caller, status: String?, limit: Int, cursor: String?) async throws -> RecordListPage {
        if let status, status != "open", status != "resolved" {
            throw CRMError(.malformed, "status is open or resolved", field: "status")
        }
        var query = RecordQuery(
            type: ConflictRecord.typeName, visibility: .users([caller.user.name]),
            sort: RecordSort(field: "createdAt", descending: true), limit: limit, cursor: cursor)
        if let status { query.filters = [FieldFilter(field: "status", value: .string(status), isReference: false)] }
        do {
            let page = try await store.list(query)
            return RecordListPage(records: page.records.map(caller.present), nextCursor: page.nextCursor)
        } catch is InvalidCursor {
            throw CRMError(.malformed, "the cursor is not one this server gave out", field: "cursor")
        }
    }

    /// Settles conflict `id` on the server's value, the device's, or a new one.
    public func resolve(_ caller: Caller, id: String, _ resolution: ConflictResolution, now: Date = Timestamp.now())
        async throws -> (conflict: Record, record: Record?)
    {
        guard let canonical = RecordID.canonical(id), let conflict = try await store.record(id: canonical),
            conflict.type == ConflictRecord.typeName, !conflict.deleted,
            conflict.owner == caller.user.name || conflict.team.contains(caller.user.name) || caller.isAdmin
        else { throw CRMError.notFound("conflict \(id)") }
        let kind = ConflictRecord.Kind(rawValue: conflict.fields["kind"]?.stringValue ?? "") ?? .field
        if resolution.choose == .value, kind != .field || resolution.value == nil {
            throw CRMError(.malformed, "choose 'value' with a value, for a field conflict only", field: "value")
        }
        let user = caller.user.name
        let validator = caller.validator
        let base = caller.base
        let canSee = caller.canSee
        let referenceIssues = { @Sendable (type: ObjectType, fields: [String: FieldValue], find: (String) throws -> Record?) throws in
            try caller.referenceIssues(type: type, fields: fields, record: find)
        }
        let result: (Record, Record?, Set<String>, Bool) = try await store.push { transaction in
            let tx = AudienceRecordingTransaction(transaction)
            // The record must still be one the resolver may see: a conflict does not open a way around visibility.
            guard let recordID = conflict.fields["recordId"]?.stringValue, let target = try tx.record(id: recordID),
                canSee(target)
            else {
                throw CRMError.notFound("the conflict's record")
            }
            var written: Record?
            switch (kind, resolution.choose) {
            case (.field, _):
                guard let field = conflict.fields["field"]?.stringValue else { throw CRMError.notFound("the conflict's field") }
                let value: FieldValue =
                    switch resolution.choose {
                    case .server: conflict.fields["serverValue"] ?? .null
                    case .client: conflict.fields["clientValue"] ?? .null
                    case .value: resolution.value ?? .null
                    }
                guard !target.deleted else {
                    throw CRMError(.conflict, "the record was deleted; nothing to write the value to", field: "choose")
                }
                if case .failure(let failure) = validator.check(typeName: target.type, changes: [field: value], merged: target.fields) {
                    throw CRMError.validation(failure.issues)
                }
                let next = target.applying([field: value], by: user, at: now)
                written = next == target ? target : try tx.update(next)
            case (.updateDeleted, .client):
                guard case .object(let edit) = conflict.fields["clientValue"] ?? .null else { break }
                // The edit as the device sent it: whole values, and link changes as additions and removals.
                var changes: [String: FieldValue] = [:]
                for (name, value) in edit {
                    if case .object(let parts) = value, let add = parts["add"]?.stringArray,
                        let remove = parts["remove"]?.stringArray
                    {
                        let current = target.fields[name]?.stringArray ?? []
                        changes[name] = .array(SetChange(add: add, remove: remove).applied(to: current).map(FieldValue.string))
                    } else {
                        changes[name] = value
                    }
                }
                // Restored, the record must be valid and refer only to live records the resolver may see.
                let fields: [String: FieldValue]
                switch validator.check(typeName: target.type, changes: changes, merged: target.fields) {
                case .success(let checked): fields = checked
                case .failure(let failure): throw CRMError.validation(failure.issues)
                }
                var restored = target
                restored.deleted = false
                restored = restored.applying(fields, by: user, at: now)
                if let type = base.types[target.type] {
                    let issues = try referenceIssues(type, restored.fields) { try tx.record(id: $0) }
                    if !issues.isEmpty { throw CRMError.validation(issues) }
                }
                if restored.version == target.version { restored.version += 1 }
                restored.updatedAt = now
                restored.updatedBy = user
                written = try tx.update(restored)
            case (.deleteUpdated, .client):
                if !target.deleted { _ = try tx.delete(target, by: user, at: now) { base.references(to: $0) } }
            default:
                break
            }
            var settled = conflict
            settled.fields["status"] = .string("resolved")
            settled.fields["resolvedBy"] = .string(user)
            settled.fields["resolvedAt"] = .string(Timestamp.string(from: now))
            settled.fields["choice"] = .string(resolution.choose.rawValue)
            if let value = resolution.value { settled.fields["resolution"] = value }
            settled.version += 1
            for key in ["status", "resolvedBy", "resolvedAt", "choice", "resolution"] where settled.fields[key] != nil {
                settled.fieldVersions[key] = FieldStamp(version: settled.version, at: now)
            }
            settled.updatedAt = now
            settled.updatedBy = user
            let stored = try tx.update(settled)
            return (stored, written, tx.touched, try tx.announceAtCommit())
        }
        await ChangeAnnouncer(store: store, signal: signal).announce(result.2, announcedAtCommit: result.3)
        return (result.0, result.1.map(caller.present))
    }
}
