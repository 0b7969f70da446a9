import CRMStore
import PostgresNIO

/// Admin settings as `admin.KEY` rows of the `meta` table.
extension PostgresStore {
    public func adminSetting(_ key: String) async throws -> String? {
        let name = "admin." + key
        return try await onConnection { reader in
            try await reader.rows("SELECT value FROM meta WHERE key = \(name)").first?.decode(String.self)
        }
    }

    public func setAdminSetting(_ key: String, _ value: String?) async throws {
        let name = "admin." + key
        try await plainTransaction { writer in
            if let value {
                _ = try await writer.rows(
                    "INSERT INTO meta (key, value) VALUES (\(name), \(value)) ON CONFLICT (key) DO UPDATE SET value = excluded.value")
            } else {
                _ = try await writer.rows("DELETE FROM meta WHERE key = \(name)")
            }
        }
    }
}
