import CRMStore
import GRDB

/// Admin settings as `admin.KEY` rows of the `meta` table.
extension SQLiteStore {
    public func adminSetting(_ key: String) async throws -> String? {
        try await read { db in
            try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = ?", arguments: ["admin." + key])
        }
    }

    public func setAdminSetting(_ key: String, _ value: String?) async throws {
        try await write { db in
            if let value {
                try db.execute(
                    sql: "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                    arguments: ["admin." + key, value])
            } else {
                try db.execute(sql: "DELETE FROM meta WHERE key = ?", arguments: ["admin." + key])
            }
        }
    }
}
