import GRDB

extension SQLiteSchema {
    /// The global-key table: one row per key a live record holds (`GlobalKeys`), unique per type, field and
    /// folded value, so that no write can store a key twice. The rows are built from the records by the first
    /// record write after this migration (the `meta` row `keys` names the keys the table was built for; absent,
    /// it is built), and again whenever a package changes the keys.
    static func registerKeys(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v5-record-keys") { db in
            try db.execute(
                sql: """
                    CREATE TABLE record_keys (
                        type TEXT NOT NULL, field TEXT NOT NULL, value TEXT NOT NULL, record_id TEXT NOT NULL,
                        PRIMARY KEY (type, field, value)
                    ) WITHOUT ROWID;
                    CREATE INDEX record_keys_record ON record_keys (record_id);
                    """)
        }
    }
}
