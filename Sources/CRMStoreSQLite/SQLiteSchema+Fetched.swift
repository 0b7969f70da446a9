import GRDB

extension SQLiteSchema {
    /// `device_fetched`: the records each device holds by hand (`crm-desktop fetch`), which its begin adds to
    /// the session's resolved filter, so the scope keeps them until a drop.
    static func registerFetched(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v9-device-fetched") { db in
            try db.execute(
                sql: """
                    CREATE TABLE device_fetched (
                        device TEXT NOT NULL, record_id TEXT NOT NULL, type TEXT NOT NULL,
                        PRIMARY KEY (device, record_id)
                    ) WITHOUT ROWID;
                    """)
        }
    }
}
