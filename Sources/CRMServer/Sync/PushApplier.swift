import CRMModel
import CRMStore
import CRMSyncProtocol
import Foundation

/// Applies one push batch inside its write transaction, op by op in the order sent (DESIGN section 3): each
/// op in a savepoint, its answer stored under its op id so that a retry gets the same answer and changes
/// nothing, ops that depend on a refused one held, and every write through the one merge of CRMModel.
struct PushApplier {
    let caller: Caller
    let device: String
    let now: Date
    /// Users that may own records or be on a team (enabled), looked up before the transaction.
    let enabledUsers: Set<String>
    /// The stored sizes of the content the ops' attachments fields name, looked up before the transaction.
    let attachments: AttachmentCheck

    private var user: String { caller.user.name }

    /// A refusal: the op changes nothing and its answer says why.
    struct Refusal: Error {
        var issues: [FieldIssue]
        var message: String
    }

    /// An op's answer and its JSON, as stored under the op id.
    struct Answer: Sendable {
        var result: SyncOpResult
        var json: [UInt8]
    }

    func apply(_ ops: [SyncOp], in tx: any PushTransaction) throws -> [Answer] {
        var results: [Answer] = []
        /// Record ids whose op was refused or held, with that op's id.
        var blocked: [String: String] = [:]
        /// Per record, the versions this batch's earlier ops produced: a later op's own edits are not conflicts.
        var produced: [String: Set<Int>] = [:]
        for op in ops {
            if let stored = try tx.opResult(device: device, opId: op.opId) {
                let result = try CRMJSON.decoder().decode(SyncOpResult.self, from: stored)
                if Self.blocks(result, op) { blocked[op.id] = blocked[op.id] ?? op.opId }
                results.append(Answer(result: result, json: [UInt8](stored)))
                continue
            }
            if let blocker = blocked[op.id] ?? dependencies(of: op).lazy.compactMap({ blocked[$0] }).first {
                let held = SyncOpResult(
                    opId: op.opId, status: .held, id: op.id,
                    message: "held: it depends on op \(blocker), which was not applied", heldBy: blocker)
                var json: [UInt8] = []
                held.writeJSON(into: &json)
                results.append(Answer(result: held, json: json))
                blocked[op.id] = blocked[op.id] ?? op.opId
                continue
            }
            var result: SyncOpResult
            do {
                let own = produced[op.id] ?? []
                result = try tx.savepoint { try applyOne(op, own: own, tx) }
            } catch let refusal as Refusal {
                result = SyncOpResult(
                    opId: op.opId, status: .rejected, id: op.id, issues: refusal.issues, message: refusal.message)
            }
            if Self.blocks(result, op) { blocked[op.id] = op.opId }
            if let version = result.version, result.status != .rejected, result.id == op.id {
                produced[op.id, default: []].insert(version)
            }
            var json: [UInt8] = []
            result.writeJSON(into: &json)
            try tx.saveOpResult(device: device, opId: op.opId, result: Data(json), at: now)
            // The answer goes out as these bytes, and a retry gets the same ones from the store.
            results.append(Answer(result: result, json: json))
        }
        return results
    }

    /// Whether later ops on the op's record must wait: it was refused, or its create did not create (a
    /// duplicate). The same rule for a fresh answer and a stored one, so a retry answers the same.
    static func blocks(_ result: SyncOpResult, _ op: SyncOp) -> Bool {
        result.status == .rejected
            || (op.kind == .create && result.status == .conflict && result.existing != nil && result.record == nil)
    }

    /// The ids an op needs to exist: the records its fields or link point to.
    private func dependencies(of op: SyncOp) -> [String] {
        var ids: [String] = []
        if let target = op.target { ids.append(target) }
        if let type = caller.base.types[op.type], let fields = op.fields {
            ids += type.references(in: fields).map(\.target)
        }
        return ids
    }

    private func applyOne(_ op: SyncOp, own: Set<Int>, _ tx: any PushTransaction) throws -> SyncOpResult {
        guard let type = caller.package.types[op.type], let baseType = caller.base.types[op.type] else {
            throw Refusal(
                issues: [FieldIssue(field: "type", code: .unknownField, message: "there is no record type '\(op.type)'")],
                message: "there is no record type '\(op.type)'" + packageNote(op))
        }
        guard RecordID.isCanonical(op.id) else {
            throw Refusal(
                issues: [FieldIssue(field: "id", code: .badFormat, message: "'\(op.id)' is not a lower-case UUID")],
                message: "'\(op.id)' is not a lower-case UUID")
        }
        if op.kind != .create, op.baseVersion == nil {
            throw Refusal(
                issues: [FieldIssue(field: "baseVersion", code: .required, message: "the version the edit started from")],
                message: "a \(op.kind.rawValue) needs the baseVersion it was made from, or changes made meanwhile would "
                    + "be overwritten without a conflict")
        }
        switch op.kind {
        case .create: return try create(op, type: type, baseType: baseType, tx)
        case .update:
            return try update(op, changes: op.fields ?? [:], setChanges: [:], type: type, baseType: baseType, own: own, tx)
        case .delete: return try delete(op, own: own, tx)
        case .link, .unlink: return try link(op, type: type, baseType: baseType, own: own, tx)
        }
    }

    // MARK: - Create

    private func create(_ op: SyncOp, type: ObjectType, baseType: ObjectType, _ tx: any PushTransaction) throws
        -> SyncOpResult
    {
        let fields = try validated(op, changes: op.fields ?? [:], merged: [:])
        try checkAttachments(baseType, changes: fields, current: [:])
        try checkReferences(type: type, fields: fields, tx)
        if try tx.record(id: op.id) != nil {
            throw Refusal(
                issues: [FieldIssue(field: "id", code: .badFormat, message: "a record with id \(op.id) already exists")],
                message: "a record with id \(op.id) already exists")
        }
        let owner = op.owner ?? user
        try checkAssignment(owner: owner, team: op.team, currentOwner: nil)
        if let (key, holder) = try RecordRules.keyHolder(of: fields, type: baseType, typeName: op.type, tx) {
            var existing = holder
            // The same email or meeting shared by another user: join it rather than copy it, keeping what this
            // user's copy links that the record lacks.
            let original = existing
            let links = Self.joinedLinks(fields, into: existing.fields, type: baseType)
            existing = existing.applying(links, by: user, at: now)
            if existing.owner != user, !existing.team.contains(user) {
                existing = existing.assigned(
                    owner: nil, team: existing.team + [user], by: user, at: now, since: original)
            }
            if existing != original {
                existing = try mapStoreErrors(fields: fields, type: type) { try tx.update(existing) }
            }
            return SyncOpResult(
                opId: op.opId, status: .merged, id: existing.id, version: existing.version,
                record: caller.present(existing), existing: existing.id,
                message: "joined the existing \(op.type) with the same \(key)")
        }
        if op.insist != true,
            let (rule, duplicate) = try RecordRules.duplicate(
                of: fields, type: baseType, typeName: op.type, visible: caller.canSee, tx)
        {
            return SyncOpResult(
                opId: op.opId, status: .conflict, id: op.id, existing: duplicate.id,
                message: "a \(op.type) you can see already has the same \(rule.joined(separator: " and ")): "
                    + "\(duplicate.id); link to it, or push again with insist")
        }
        let stamp = FieldStamp(version: 1, at: now)
        let values = fields.filter { !$0.value.isNull }
        let record = Record(
            id: op.id, type: op.type, owner: owner, team: Set(op.team ?? []).sorted(), createdAt: now, updatedAt: now,
            updatedBy: user, fields: values, fieldVersions: values.mapValues { _ in stamp })
        let stored = try mapStoreErrors(fields: fields, type: type) { try tx.insert(record) }
        return SyncOpResult(opId: op.opId, status: .applied, id: stored.id, version: stored.version, record: caller.present(stored))
    }

    // MARK: - Update, link and unlink

    private func update(
        _ op: SyncOp, changes: [String: FieldValue], setChanges: [String: SetChange], type: ObjectType,
        baseType: ObjectType, own: Set<Int>, _ tx: any PushTransaction
    ) throws -> SyncOpResult {
        let current = try visibleRecord(op, tx)
        if current.deleted {
            let conflict = try tx.insert(
                ConflictRecord.make(
                    kind: .updateDeleted, record: current,
                    fields: [
                        "clientValue": .object(changes.merging(setChanges.mapValues { setChangeValue($0) }) { $1 }),
                        "serverVersion": .number(Decimal(current.version)),
                        "baseVersion": .number(Decimal(op.baseVersion ?? 0)),
                        "clientTime": .string(Timestamp.string(from: clamped(op))),
                        "serverTime": .string(Timestamp.string(from: current.updatedAt)),
                    ], serverAuthor: current.updatedBy, clientAuthor: user, now: now))
            return SyncOpResult(
                opId: op.opId, status: .conflict, id: op.id, version: current.version, conflicts: [conflict],
                message: "the \(op.type) was deleted by \(current.updatedBy) meanwhile; your edit is kept in the conflict")
        }
        let base = op.baseVersion ?? current.version
        let fields = try validated(op, changes: changes, merged: current.fields)
        try checkAttachments(baseType, changes: fields, current: current.fields)
        try checkReferences(type: type, fields: fields, tx)
        if op.owner != nil || op.team != nil {
            try checkAssignment(
                owner: op.owner ?? current.owner, team: op.team, currentOwner: current.owner, currentTeam: current.team)
        }
        let outcome = RecordMerge.merge(
            server: current, baseVersion: base, changes: fields, setChanges: setChanges, editTime: clamped(op),
            type: baseType, ownVersions: own)
        // The merged record must still satisfy the package's rules (a rule may compare a field the server
        // changed with one the device changed). When the merge took exactly the checked changes onto the
        // current fields (none of them null), `validated` has already checked this very record.
        let checked = setChanges.isEmpty && outcome.changes == fields && !current.fields.values.contains { $0.isNull }
        if !checked, case .failure(let failure) = caller.validator.check(typeName: op.type, changes: [:], merged: current.fields.merging(outcome.changes) { $1 }.filter { !$0.value.isNull }) {
            throw Refusal(issues: failure.issues, message: "merged with the server's changes, the record is not valid")
        }
        var next = current.applying(outcome.changes, by: user, at: now)
        // A field's stamp keeps when the edit was made (the device's time, clamped), so that `newest-wins`
        // compares edit times and not the order in which devices happened to sync.
        for (name, stamp) in next.fieldVersions where stamp != current.fieldVersions[name] {
            next.fieldVersions[name]?.at = clamped(op)
        }
        next = next.assigned(owner: op.owner, team: op.team, by: user, at: now, since: current)
        let stored = next == current ? current : try mapStoreErrors(fields: fields, type: type) { try tx.update(next) }
        var conflicts: [Record] = []
        for conflict in outcome.conflicts {
            conflicts.append(
                try tx.insert(
                    ConflictRecord.make(
                        conflict, record: stored, serverAuthor: current.updatedBy, clientAuthor: user, now: now)))
        }
        let serverFields = current.fieldVersions.filter { $0.value.version > base && !own.contains($0.value.version) }.keys
            .filter { caller.package.types[op.type]?.fields[$0] != nil }.sorted()
        let status: SyncOpResult.Status = !conflicts.isEmpty ? .conflict : serverFields.isEmpty ? .applied : .merged
        return SyncOpResult(
            opId: op.opId, status: status, id: stored.id, version: stored.version, record: caller.present(stored),
            serverFields: serverFields.isEmpty ? nil : serverFields,
            conflicts: conflicts.isEmpty ? nil : conflicts.map(caller.present))
    }

    private func link(_ op: SyncOp, type: ObjectType, baseType: ObjectType, own: Set<Int>, _ tx: any PushTransaction) throws
        -> SyncOpResult
    {
        guard let field = op.field, let definition = type.fields[field], definition.kind.isReference else {
            let name = op.field ?? ""
            throw Refusal(
                issues: [FieldIssue(field: name.isEmpty ? "field" : name, code: .unknownField, message: "not a reference field of \(op.type)")],
                message: "'\(name)' is not a reference field of \(op.type)" + packageNote(op))
        }
        if definition.readOnly == true {
            throw Refusal(
                issues: [FieldIssue(field: field, code: .readOnly, message: "'\(field)' is read-only for your role")],
                message: "'\(field)' is read-only for your role")
        }
        guard let target = op.target.flatMap(RecordID.canonical) else {
            throw Refusal(
                issues: [FieldIssue(field: field, code: .reference, message: "the target is not a record id")],
                message: "the target of \(op.kind.rawValue) is not a record id")
        }
        if definition.kind == .references {
            let change = op.kind == .link ? SetChange(add: [target]) : SetChange(remove: [target])
            if op.kind == .link { try checkReferences(type: type, fields: [field: .array([.string(target)])], tx) }
            return try update(op, changes: [:], setChanges: [field: change], type: type, baseType: baseType, own: own, tx)
        }
        if op.kind == .unlink {
            let current = try visibleRecord(op, tx)
            guard current.fields[field] == .string(target) else {
                return SyncOpResult(
                    opId: op.opId, status: .applied, id: current.id, version: current.version, record: caller.present(current),
                    message: "'\(field)' did not point to \(target) any more")
            }
            return try update(op, changes: [field: .null], setChanges: [:], type: type, baseType: baseType, own: own, tx)
        }
        return try update(op, changes: [field: .string(target)], setChanges: [:], type: type, baseType: baseType, own: own, tx)
    }

    // MARK: - Delete

    private func delete(_ op: SyncOp, own: Set<Int>, _ tx: any PushTransaction) throws -> SyncOpResult {
        let current = try visibleRecord(op, tx)
        if current.deleted {
            return SyncOpResult(opId: op.opId, status: .applied, id: current.id, version: current.version)
        }
        if let base = op.baseVersion, base < current.version, !(base + 1...current.version).allSatisfy(own.contains) {
            let changed = current.fieldVersions.filter { $0.value.version > base && !own.contains($0.value.version) }
                .keys.sorted()
            let conflict = try tx.insert(
                ConflictRecord.make(
                    kind: .deleteUpdated, record: current,
                    fields: [
                        "clientValue": .string("delete"), "serverVersion": .number(Decimal(current.version)),
                        "baseVersion": .number(Decimal(base)), "clientTime": .string(Timestamp.string(from: clamped(op))),
                        "serverTime": .string(Timestamp.string(from: current.updatedAt)),
                        "fields": .array(changed.map(FieldValue.string)),
                    ], serverAuthor: current.updatedBy, clientAuthor: user, now: now))
            return SyncOpResult(
                opId: op.opId, status: .conflict, id: current.id, version: current.version, record: caller.present(current),
                serverFields: changed, conflicts: [caller.present(conflict)],
                message: "\(current.updatedBy) changed the \(op.type) after you loaded it; it was not deleted")
        }
        let base = caller.base
        do {
            let outcome = try tx.delete(current, by: user, at: now) { base.references(to: $0) }
            return SyncOpResult(opId: op.opId, status: .applied, id: current.id, version: outcome.deleted.first?.version)
        } catch StoreError.restricted(let sourceType, _, let field) {
            throw Refusal(
                issues: [FieldIssue(field: field, code: .reference, message: "still referenced by a \(sourceType)")],
                message: "the \(op.type) is still referenced by a \(sourceType) through '\(field)'; remove that reference first")
        }
    }

    // MARK: - Checks

    private func visibleRecord(_ op: SyncOp, _ tx: any PushTransaction) throws -> Record {
        guard let record = try tx.record(id: op.id), record.type == op.type, caller.canSee(record) else {
            throw Refusal(
                issues: [FieldIssue(field: "id", code: .reference, message: "no \(op.type) \(op.id)")],
                message: "there is no \(op.type) \(op.id) that you can see")
        }
        return record
    }

    private func validated(_ op: SyncOp, changes: [String: FieldValue], merged: [String: FieldValue]) throws
        -> [String: FieldValue]
    {
        switch caller.validator.check(typeName: op.type, changes: changes, merged: merged) {
        case .success(let fields): return fields
        case .failure(let failure):
            throw Refusal(
                issues: failure.issues,
                message: failure.issues.map(\.description).joined(separator: "; ") + packageNote(op))
        }
    }

    /// Every reference the fields set must name a live record the user may see, of a type the field allows.
    private func checkReferences(type: ObjectType, fields: [String: FieldValue], _ tx: any PushTransaction) throws {
        let issues = try caller.referenceIssues(type: type, fields: fields) { try tx.record(id: $0) }
        if !issues.isEmpty { throw Refusal(issues: issues, message: issues.map(\.description).joined(separator: "; ")) }
    }

    /// Each attachment the op adds must name stored content of the size it lists (`AttachmentCheck`).
    private func checkAttachments(_ type: ObjectType, changes: [String: FieldValue], current: [String: FieldValue])
        throws
    {
        let issues = attachments.issues(AttachmentCheck.additions(type: type, changes: changes, current: current))
        if !issues.isEmpty { throw Refusal(issues: issues, message: issues.map(\.description).joined(separator: "; ")) }
    }

    /// Only the names an op brings must be enabled users: the owner and team members a record has stay as they
    /// are (a user joining the team of a record whose owner was disabled is not refused for it).
    private func checkAssignment(
        owner: String, team: [String]?, currentOwner: String?, currentTeam: [String] = []
    ) throws {
        if owner != (currentOwner ?? user), case .users(let users) = caller.scope, !users.contains(owner) {
            throw Refusal(
                issues: [FieldIssue(field: "owner", code: .reference, message: "you cannot give a record to '\(owner)'")],
                message: "you cannot give a record to '\(owner)'")
        }
        let added = (owner == currentOwner ? [] : [owner]) + (team ?? []).filter { !currentTeam.contains($0) }
        for name in added where !enabledUsers.contains(name) {
            let field = name == owner ? "owner" : "team"
            throw Refusal(
                issues: [FieldIssue(field: field, code: .reference, message: "no enabled user '\(name)'")],
                message: "no enabled user '\(name)'")
        }
    }

    private func clamped(_ op: SyncOp) -> Date { RecordMerge.clamp(op.editedAt, serverNow: now) }

    private func setChangeValue(_ change: SetChange) -> FieldValue {
        .object(["add": .array(change.add.map(FieldValue.string)), "remove": .array(change.remove.map(FieldValue.string))])
    }

    private func packageNote(_ op: SyncOp) -> String {
        guard let version = op.packageVersion, version != caller.package.version else { return "" }
        return " (the edit was made under package version \(version); the current version is \(caller.package.version))"
    }
}
