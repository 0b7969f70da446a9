import CRMModel
import CRMSyncProtocol
import Foundation
import GRDB

extension Replica {
    /// Installs a package from the server and migrates the outbox to it, in one transaction, before anything
    /// is pushed.
    ///
    /// A package this desktop cannot load is refused and the installed one kept. An unsent op that no longer
    /// maps (its type or a field is gone, a field became read-only, a new required field is empty) becomes a
    /// failed op naming the field: visible and editable, never dropped. Server copies of types the package no
    /// longer has go; the server sends the others again after a structural change.
    ///
    /// - Returns: the ops that failed under the new package.
    @discardableResult
    public func install(_ update: PackageUpdate) throws -> [OutboxOp] {
        let package: CustomizationPackage
        do {
            package = try PackageLoader.load(json: PackageLoader.json(update.package), file: "package \(update.version)")
        } catch {
            throw DesktopError(
                .incompatiblePackage,
                "the server's customization package version \(update.version) cannot be installed on this desktop "
                    + "(\(error)); the installed package stays and nothing was sent. Ask your administrator, or "
                    + "update crm-desktop")
        }
        let json = String(decoding: PackageLoader.json(package), as: UTF8.self)
        let user = try settingsUser()
        return try write { db in
            try Self.setMeta(db, "package", json)
            try Self.setMeta(db, "package.version", String(update.version))
            for type in try String.fetchAll(db, sql: "SELECT DISTINCT type FROM records")
            where package.types[type] == nil && type != ConflictRecord.typeName {
                try db.execute(sql: "DELETE FROM records WHERE type = ?", arguments: [type])
            }
            return try Self.migrateOutbox(db, to: package, version: update.version, user: user)
        }
    }

    /// The installed package's version (nil before the first sync).
    public func packageVersion() throws -> Int? {
        try read { db in try Self.meta(db, "package.version").flatMap(Int.init) }
    }

    /// The user the replica belongs to (kept at setup), for the local view of records created here.
    func settingsUser() throws -> String {
        try read { db in try Self.meta(db, "user") } ?? ""
    }

    /// Remembers whose replica this is.
    public func setOwner(user: String, server: String) throws {
        try write { db in
            try Self.setMeta(db, "user", user)
            try Self.setMeta(db, "server", server)
        }
    }

    /// The server and user the replica was built for.
    public func owner() throws -> (user: String, server: String)? {
        try read { db in
            guard let user = try Self.meta(db, "user"), let server = try Self.meta(db, "server") else { return nil }
            return (user, server)
        }
    }

    private static func migrateOutbox(_ db: Database, to package: CustomizationPackage, version: Int, user: String)
        throws -> [OutboxOp]
    {
        let validator = RecordValidator(base: package, view: package)
        var failed: [OutboxOp] = []
        for var op in try fetchOps(db, "SELECT * FROM outbox WHERE sent = 0 ORDER BY seq", []) {
            guard let issues = issues(of: op.op, package: package, validator: validator, db) else {
                op.op.packageVersion = version
                try update(db, op)
                continue
            }
            op.state = .failed
            op.failure = OpFailure(
                message: "no longer fits the customization package version \(version): "
                    + issues.map(\.description).joined(separator: "; "),
                issues: issues)
            try update(db, op)
            failed.append(op)
        }
        return failed
    }

    /// What is wrong with an op under `package`, or nil when it still maps.
    private static func issues(
        of op: SyncOp, package: CustomizationPackage, validator: RecordValidator, _ db: Database
    ) -> [FieldIssue]? {
        guard let type = package.types[op.type] else {
            return [FieldIssue(field: "type", code: .unknownField, message: "there is no record type '\(op.type)' any more")]
        }
        switch op.kind {
        case .create, .update:
            let merged = op.kind == .create ? [:] : ((try? serverCopy(db, id: op.id))??.record.fields ?? [:])
            if case .failure(let failure) = validator.check(typeName: op.type, changes: op.fields ?? [:], merged: merged) {
                return failure.issues
            }
            return nil
        case .link, .unlink:
            guard let field = op.field, let definition = type.fields[field], definition.kind.isReference else {
                return [FieldIssue(field: op.field ?? "field", code: .unknownField, message: "is not a reference field any more")]
            }
            if definition.isReadOnly {
                return [FieldIssue(field: field, code: .readOnly, message: "'\(field)' is read-only now")]
            }
            return nil
        case .delete:
            return nil
        }
    }
}
