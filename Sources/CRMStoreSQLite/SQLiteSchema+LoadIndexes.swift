import GRDB

extension SQLiteSchema {
    /// Indexes that measured loads asked for after their tables existed.
    static func registerLoadIndexes(_ migrator: inout DatabaseMigrator) {
        // `begin` ends a device's sessions still open; without this index SQLite walked the whole sync log
        // backwards by start time to find a device's few rows, on every begin (PostgreSQL had it from the start).
        migrator.registerMigration("v6-sync-sessions-device") { db in
            try db.execute(sql: "CREATE INDEX sync_sessions_device ON sync_sessions (device, started_at)")
        }
    }
}
