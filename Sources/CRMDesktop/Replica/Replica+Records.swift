import CRMModel
import CRMSyncProtocol
import Foundation
import GRDB

extension Replica {
    /// The record as the user sees it: the server copy with the outbox applied; nil when there is none or it
    /// was deleted on this desktop (unless `includingDeleted`).
    public func localRecord(id: String, user: String, includingDeleted: Bool = false) throws -> LocalRecord? {
        try read { db in
            let copy = try Self.serverCopy(db, id: id)
            let ops = try Self.ops(db, recordID: id)
            let local = Self.overlay(copy: copy, ops: ops, user: user)
            return local.flatMap { includingDeleted || !$0.deletedLocally ? $0 : nil }
        }
    }

    /// Every record of `type` as the user sees it, without those deleted on this desktop, ordered by id.
    public func localRecords(type: String, user: String) throws -> [LocalRecord] {
        try read { db in
            var copies: [String: (record: CRMModel.Record, incomplete: Bool)] = [:]
            let rows = try Row.fetchCursor(db, sql: "SELECT json, incomplete FROM records WHERE type = ?", arguments: [type])
            while let row = try rows.next() {
                let record = try RecordJSON.read(row[0] as String)
                copies[record.id] = (record, row[1])
            }
            var opsByRecord: [String: [OutboxOp]] = [:]
            for op in try Self.ops(db, type: type) { opsByRecord[op.op.id, default: []].append(op) }
            var result: [LocalRecord] = []
            for id in Set(copies.keys).union(opsByRecord.keys).sorted() {
                guard let local = Self.overlay(copy: copies[id], ops: opsByRecord[id] ?? [], user: user),
                    !local.deletedLocally
                else { continue }
                result.append(local)
            }
            return result
        }
    }

    /// Records of this replica whose fields name `id` (for `show`: the related records).
    public func referencing(id: String, user: String) throws -> [LocalRecord] {
        let ids: [String] = try read { db in
            try String.fetchAll(
                db, sql: "SELECT id FROM records WHERE json LIKE ? AND id != ? AND type != ?",
                arguments: ["%\"\(id)\"%", id, ConflictRecord.typeName])
        }
        return try ids.compactMap { try localRecord(id: $0, user: user) }
    }

    /// How many server copies the replica holds, by type.
    public func counts() throws -> [String: Int] {
        try read { db in
            var counts: [String: Int] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT type, COUNT(*) FROM records GROUP BY type") {
                counts[row[0]] = row[1]
            }
            return counts
        }
    }

    // MARK: - Exclusions

    /// Removes a record from this desktop only: its server copy goes and later pulls skip it. Its unsent ops
    /// stay in the outbox.
    public func exclude(type: String, id: String, at time: Date = Date()) throws {
        try write { db in
            try db.execute(
                sql: "INSERT OR REPLACE INTO exclusions(id, type, excluded_at) VALUES (?, ?, ?)",
                arguments: [id, type, Timestamp.string(from: time)])
            try db.execute(sql: "DELETE FROM records WHERE id = ?", arguments: [id])
        }
    }

    /// The records removed from this desktop only.
    public func exclusions() throws -> [(type: String, id: String, at: Date)] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT type, id, excluded_at FROM exclusions ORDER BY excluded_at").map {
                ($0[0], $0[1], Timestamp.date(from: $0[2]) ?? Date(timeIntervalSince1970: 0))
            }
        }
    }

    /// Takes a record off the exclusions list and stores its current server copy (fetched by the caller).
    public func include(id: String, copy: CRMModel.Record?) throws {
        try write { db in
            try db.execute(sql: "DELETE FROM exclusions WHERE id = ?", arguments: [id])
            if let copy { try Self.storeCopy(db, copy, incomplete: false) }
        }
    }

    // MARK: - Rows

    static func serverCopy(_ db: Database, id: String) throws -> (record: CRMModel.Record, incomplete: Bool)? {
        guard let row = try Row.fetchOne(db, sql: "SELECT json, incomplete FROM records WHERE id = ?", arguments: [id])
        else { return nil }
        return (try RecordJSON.read(row[0] as String), row[1])
    }

    /// Stores a server copy unless the replica holds a newer one (a push answer and a page may arrive in
    /// either order; the newer version wins).
    static func storeCopy(_ db: Database, _ record: CRMModel.Record, incomplete: Bool, provisional: Bool = false) throws {
        var bytes: [UInt8] = []
        RecordJSON.write(record, into: &bytes)
        try db.cachedStatement(sql: storeCopySQL).execute(
            arguments: [
                record.id, record.type, record.version, incomplete, provisional, String(decoding: bytes, as: UTF8.self),
            ])
    }

    /// Stores a server copy (id, type, version, incomplete, provisional, json) unless the replica holds a newer
    /// version; a copy stays provisional only while every copy stored for it was.
    static let storeCopySQL = """
        INSERT INTO records(id, type, version, incomplete, provisional, json) VALUES (?, ?, ?, ?, ?, ?)
        ON CONFLICT(id) DO UPDATE SET version = excluded.version,
            incomplete = excluded.incomplete, json = excluded.json,
            provisional = excluded.provisional AND records.provisional
        WHERE excluded.version >= records.version
        """

    static func isExcluded(_ db: Database, id: String) throws -> Bool {
        try Bool.fetchOne(db, sql: "SELECT 1 FROM exclusions WHERE id = ?", arguments: [id]) ?? false
    }

    /// The user's view of one record from its server copy and its ops.
    static func overlay(copy: (record: CRMModel.Record, incomplete: Bool)?, ops: [OutboxOp], user: String) -> LocalRecord? {
        var record = copy?.record
        // A delete the server refused does not hide the record: the user sees it, with the failure, until the
        // delete is retried or discarded.
        for op in ops where !(op.op.kind == .delete && op.state == .failed) {
            record = LocalOverlay.apply(op.op, to: record, user: user)
        }
        guard let record else { return nil }
        return LocalRecord(
            record: record, incomplete: copy?.incomplete ?? false, serverVersion: copy?.record.version,
            pendingOps: ops.count, failedOps: ops.filter { $0.state == .failed }.count,
            deletedLocally: record.deleted)
    }
}
