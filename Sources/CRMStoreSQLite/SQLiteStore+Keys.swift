import CRMModel
import CRMStore
import Foundation
import GRDB

extension SQLiteStore {
    /// The global keys record writes keep in `record_keys`: the newest package's. When the table was built for
    /// other keys (a new package, or the migration that made it), it is built again first, in the caller's
    /// write transaction.
    func globalKeys(in db: Database) throws -> GlobalKeys {
        let head = try Row.fetchOne(
            db.cachedStatement(
                sql: "SELECT (SELECT max(version) FROM packages), (SELECT value FROM meta WHERE key = 'keys')"))
        let version: Int? = head?[0]
        let built: String? = head?[1]
        let keys = try packageKeys(version, in: db)
        if keys.signature != built { try Self.rebuildKeys(keys, in: db) }
        return keys
    }

    /// Runs `body` in a write transaction with the global keys its record writes keep.
    func recordWrite<T: Sendable>(_ body: @escaping @Sendable (Database, GlobalKeys) throws -> T) async throws -> T {
        try await write { db in try body(db, try self.globalKeys(in: db)) }
    }

    /// The keys of package `version`, read once per version.
    private func packageKeys(_ version: Int?, in db: Database) throws -> GlobalKeys {
        guard let version else { return .none }
        if let cached = keyCache.withLock({ $0 }), cached.version == version { return cached.keys }
        guard let json = try Data.fetchOne(db, sql: "SELECT json FROM packages WHERE version = ?", arguments: [version])
        else { return .none }
        let keys = GlobalKeys(packageJSON: json)
        keyCache.withLock { $0 = (version, keys) }
        return keys
    }

    /// Fills `record_keys` from the live records for `keys`, and notes the keys it was built for. Records that
    /// met a key before the constraint existed keep it for the oldest of them (by sequence number).
    static func rebuildKeys(_ keys: GlobalKeys, in db: Database) throws {
        try db.execute(sql: "DELETE FROM record_keys")
        for (type, fields) in keys.fields.sorted(by: { $0.key < $1.key }) {
            for field in fields {
                let path = "$.\"\(field.replacingOccurrences(of: "\"", with: ""))\""
                try db.execute(
                    sql: """
                        INSERT OR IGNORE INTO record_keys (type, field, value, record_id)
                        SELECT type, ?, lower(json_extract(fields, ?)), id FROM records
                        WHERE type = ? AND deleted = 0 AND json_type(fields, ?) = 'text'
                            AND trim(json_extract(fields, ?), ' ' || char(9, 10, 13)) <> ''
                        ORDER BY seq
                        """, arguments: [field, path, type, path, path])
            }
        }
        try db.execute(sql: "INSERT OR REPLACE INTO meta (key, value) VALUES ('keys', ?)", arguments: [keys.signature])
    }
}

/// Keeps a record's rows of `record_keys` in step with it.
enum RecordKeyRows {
    /// Makes the key rows of a record of a keyed type its keys (none for a tombstone), before its row is
    /// written; a key another record holds throws `keyTaken`, and the caller's transaction (or savepoint) rolls
    /// the write back, unless the stored row already had that value (stored before keys had a constraint: the
    /// record stays editable, and the other keeps the key).
    static func save(_ record: Record, keys: GlobalKeys, in db: Database) throws {
        guard keys.isKeyed(record.type) else { return }
        try db.cachedStatement(sql: "DELETE FROM record_keys WHERE record_id = ?").execute(arguments: [record.id])
        for (field, value) in keys.entries(of: record) {
            do {
                try insert(type: record.type, field: field, value: value, id: record.id, strict: true, in: db)
            } catch let error as StoreError {
                guard case .keyTaken = error, try hadValue(record.id, field: field, value: value, in: db) else {
                    throw error
                }
            }
        }
    }

    /// Whether the stored row of `id` holds `value` (folded) in `field`.
    private static func hadValue(_ id: String, field: String, value: String, in db: Database) throws -> Bool {
        let path = "$.\"\(field.replacingOccurrences(of: "\"", with: ""))\""
        return try Bool.fetchOne(
            db.cachedStatement(sql: "SELECT lower(json_extract(fields, ?)) = lower(?) FROM records WHERE id = ?"),
            arguments: [path, value, id]) == true
    }

    /// Inserts one key row; when the key is held, `strict` throws `keyTaken` and otherwise the holder keeps it.
    static func insert(type: String, field: String, value: String, id: String, strict: Bool, in db: Database) throws {
        try db.cachedStatement(
            sql: "INSERT OR IGNORE INTO record_keys (type, field, value, record_id) VALUES (?, ?, lower(?), ?)"
        ).execute(arguments: [type, field, value, id])
        guard strict, db.changesCount == 0 else { return }
        let holder = try String.fetchOne(
            db.cachedStatement(
                sql: "SELECT record_id FROM record_keys WHERE type = ? AND field = ? AND value = lower(?)"),
            arguments: [type, field, value])
        guard holder != id else { return }
        throw StoreError.keyTaken(type: type, field: field, holder: holder ?? "?")
    }
}
