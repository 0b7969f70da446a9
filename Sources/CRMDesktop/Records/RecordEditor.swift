import CRMModel
import CRMSyncProtocol
import Foundation

/// Makes the user's changes offline: checks them with the same validator the server uses (every failing field
/// named at once) and puts them into the outbox. Nothing here needs the server.
public struct RecordEditor: Sendable {
    public let replica: Replica
    public let package: CustomizationPackage
    public let user: String
    private let validator: RecordValidator

    public init(replica: Replica, user: String) throws {
        self.replica = replica
        self.user = user
        self.package = try replica.requirePackage()
        self.validator = RecordValidator(base: package, view: package)
    }

    /// The package's type, or `.invalidInput` naming the types there are.
    public func type(_ name: String) throws -> ObjectType {
        guard let type = package.types[name], name != ConflictRecord.typeName else {
            let known = package.types.keys.filter { $0 != ConflictRecord.typeName }.sorted().joined(separator: ", ")
            throw DesktopError(.invalidInput, "there is no record type '\(name)'; the package has \(known)", field: "TYPE")
        }
        return type
    }

    /// Reads `field=value` arguments into typed values, naming every field that is unknown or badly written.
    public func parse(_ assignments: [String], type typeName: String) throws -> [String: FieldValue] {
        let (fields, issues) = try read(assignments, type: typeName)
        guard issues.isEmpty else { throw Self.refusal(issues) }
        return fields
    }

    /// Creates a record from `field=value` arguments: every badly written and every invalid field in one answer.
    @discardableResult
    public func create(type typeName: String, assignments: [String], insist: Bool = false) throws -> LocalRecord {
        let (fields, issues) = try read(assignments, type: typeName)
        return try create(type: typeName, fields: fields, insist: insist, knownIssues: issues)
    }

    /// Changes a record from `field=value` arguments: every badly written and every invalid field in one answer.
    @discardableResult
    public func update(type typeName: String, id: String, assignments: [String]) throws -> LocalRecord {
        let (fields, issues) = try read(assignments, type: typeName)
        return try update(type: typeName, id: id, fields: fields, knownIssues: issues)
    }

    private func read(_ assignments: [String], type typeName: String) throws -> ([String: FieldValue], [FieldIssue]) {
        let type = try type(typeName)
        var fields: [String: FieldValue] = [:]
        var issues: [FieldIssue] = []
        for assignment in assignments {
            guard let equals = assignment.firstIndex(of: "=") else {
                issues.append(
                    FieldIssue(field: assignment, code: .badFormat, message: "write field=value (an empty value clears it)"))
                continue
            }
            let name = String(assignment[..<equals])
            let text = String(assignment[assignment.index(after: equals)...])
            guard let field = type.fields[name] else {
                issues.append(FieldIssue(field: name, code: .unknownField, message: "\(typeName) has no field '\(name)'"))
                continue
            }
            switch FieldText.parse(text, field: name, kind: field.kind) {
            case .success(let value): fields[name] = value
            case .failure(let error): issues.append(error.issue)
            }
        }
        return (fields, issues)
    }

    private static func refusal(_ issues: [FieldIssue]) -> DesktopError {
        DesktopError(.invalidInput, "nothing was saved: \(issues.count) fields need attention", issues: issues)
    }

    /// Creates a record offline; it goes to the server with the next sync.
    @discardableResult
    public func create(
        type typeName: String, fields: [String: FieldValue], insist: Bool = false, at time: Date = Date(),
        knownIssues: [FieldIssue] = []
    ) throws -> LocalRecord {
        _ = try type(typeName)
        let normalized = try validated(typeName, changes: fields, merged: [:], knownIssues: knownIssues)
        let id = RecordID.make(at: time)
        try replica.append(
            SyncOp(
                opId: RecordID.make(at: time), kind: .create, type: typeName, id: id,
                fields: normalized.filter { !$0.value.isNull }, editedAt: time, packageVersion: package.version,
                insist: insist ? true : nil))
        guard let record = try replica.localRecord(id: id, user: user) else {
            throw DesktopError(.notFound, "the new \(typeName) could not be read back")
        }
        return record
    }

    /// Changes fields of a record offline (only the fields given).
    @discardableResult
    public func update(
        type typeName: String, id: String, fields: [String: FieldValue], at time: Date = Date(),
        knownIssues: [FieldIssue] = []
    ) throws -> LocalRecord {
        let current = try editable(typeName, id: id)
        let normalized = try validated(typeName, changes: fields, merged: current.fields, knownIssues: knownIssues)
        let changes = normalized.filter { (current.fields[$0.key] ?? .null) != $0.value }
        guard !changes.isEmpty else { return current }
        try replica.append(
            SyncOp(
                opId: RecordID.make(at: time), kind: .update, type: typeName, id: current.id,
                baseVersion: baseVersion(of: current), fields: changes, editedAt: time, packageVersion: package.version))
        return try replica.localRecord(id: current.id, user: user) ?? current
    }

    /// Deletes a record in the CRM (with the next sync).
    public func delete(type typeName: String, id: String, at time: Date = Date()) throws {
        let current = try editable(typeName, id: id)
        try replica.append(
            SyncOp(
                opId: RecordID.make(at: time), kind: .delete, type: typeName, id: current.id,
                baseVersion: baseVersion(of: current), editedAt: time, packageVersion: package.version))
    }

    /// Removes a record from this desktop only: it stays in the CRM, and later syncs leave it out.
    public func removeLocally(type typeName: String, id: String) throws {
        let current = try find(typeName, id: id)
        try replica.exclude(type: typeName, id: current.id)
    }

    /// Links (or unlinks) `target` through a reference or many-to-many field.
    public func link(type typeName: String, id: String, field: String, target: String, unlink: Bool = false, at time: Date = Date())
        throws
    {
        let type = try type(typeName)
        let current = try editable(typeName, id: id)
        guard let definition = type.fields[field], definition.kind.isReference else {
            let fields = type.fields.filter { $0.value.kind.isReference }.keys.sorted().joined(separator: ", ")
            throw DesktopError(
                .invalidInput, "'\(field)' is not a reference field of \(typeName); its reference fields: \(fields)",
                field: field)
        }
        if definition.isReadOnly {
            throw DesktopError(.readOnly, "'\(field)' is read-only for your role", field: field)
        }
        let targetID = try resolve(target: target, definition: definition, field: field)
        try replica.append(
            SyncOp(
                opId: RecordID.make(at: time), kind: unlink ? .unlink : .link, type: typeName, id: current.id,
                baseVersion: baseVersion(of: current), field: field, target: targetID, editedAt: time,
                packageVersion: package.version))
    }

    // MARK: - Checks

    /// A record of `typeName` by id or unique id prefix (at least 4 characters), as the user sees it.
    public func find(_ typeName: String, id: String) throws -> LocalRecord {
        _ = try type(typeName)
        if let record = try replica.localRecord(id: id.lowercased(), user: user), record.type == typeName { return record }
        return try IDPrefix.unique(
            id, among: try replica.localRecords(type: typeName, user: user), id: \.id, what: "\(typeName) records",
            missing: "this desktop has no \(typeName) with id '\(id)' (`crm-desktop list \(typeName)` lists them)",
            field: "ID")
    }

    private func editable(_ typeName: String, id: String) throws -> LocalRecord {
        let record = try find(typeName, id: id)
        if record.incomplete {
            throw DesktopError(
                .readOnly,
                "this \(typeName) is read-only here: it is on this desktop only because a record you sync refers to "
                    + "it, and it is outside your sync filter. Choose a filter that includes it (`crm-desktop filters`)",
                field: "ID")
        }
        return record
    }

    private func resolve(target: String, definition: FieldDefinition, field: String) throws -> String {
        for typeName in definition.target ?? [] {
            if let found = try? find(typeName, id: target) { return found.id }
        }
        guard let canonical = RecordID.canonical(target) else {
            throw DesktopError(.notFound, "no record '\(target)' that '\(field)' may point to on this desktop", field: field)
        }
        return canonical
    }

    /// The server version the edit starts from (a record created here and sent, but not yet confirmed, is at 1).
    private func baseVersion(of record: LocalRecord) -> Int { record.serverVersion ?? 1 }

    /// The changes normalized by the server's validator, or every issue: those found reading the arguments
    /// (`knownIssues`) and the validator's for the other fields.
    private func validated(
        _ typeName: String, changes: [String: FieldValue], merged: [String: FieldValue], knownIssues: [FieldIssue]
    ) throws -> [String: FieldValue] {
        let named = Set(knownIssues.map(\.field))
        switch validator.check(typeName: typeName, changes: changes, merged: merged) {
        case .success(let normalized):
            guard knownIssues.isEmpty else { throw Self.refusal(knownIssues) }
            return normalized
        case .failure(let failure):
            throw Self.refusal(knownIssues + failure.issues.filter { !named.contains($0.field) })
        }
    }
}
