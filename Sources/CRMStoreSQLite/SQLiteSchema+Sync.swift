import GRDB

extension SQLiteSchema {
    /// Devices' scopes, pending pages, op results, the sync log, and the key that signs cursors.
    static func registerSync(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v3-sync") { db in
            try db.execute(
                sql: """
                    INSERT INTO meta (key, value) VALUES ('cursor_key', lower(hex(randomblob(32))));

                    CREATE TABLE device_sync (
                        device TEXT PRIMARY KEY,
                        user TEXT NOT NULL,
                        state TEXT NOT NULL,
                        pending_generation INTEGER,
                        pending_delta TEXT
                    );

                    CREATE TABLE device_scope (
                        device TEXT NOT NULL,
                        record_id TEXT NOT NULL,
                        type TEXT NOT NULL,
                        version INTEGER NOT NULL,
                        reason TEXT NOT NULL,
                        PRIMARY KEY (device, record_id)
                    ) WITHOUT ROWID;
                    CREATE INDEX device_scope_type ON device_scope (device, type, record_id);

                    CREATE TABLE op_results (
                        device TEXT NOT NULL,
                        op_id TEXT NOT NULL,
                        result TEXT NOT NULL,
                        created_at INTEGER NOT NULL,
                        PRIMARY KEY (device, op_id)
                    ) WITHOUT ROWID;
                    CREATE INDEX op_results_created ON op_results (created_at);

                    CREATE TABLE sync_sessions (
                        id TEXT PRIMARY KEY,
                        user TEXT NOT NULL,
                        device TEXT NOT NULL,
                        started_at INTEGER NOT NULL,
                        expires_at INTEGER NOT NULL,
                        ended_at INTEGER,
                        filter TEXT NOT NULL,
                        counts TEXT NOT NULL,
                        client_counts TEXT,
                        errors TEXT NOT NULL DEFAULT '[]'
                    );
                    CREATE INDEX sync_sessions_started ON sync_sessions (started_at);
                    CREATE INDEX sync_sessions_user ON sync_sessions (user, started_at);

                    CREATE INDEX records_type_id ON records (type, id) WHERE deleted = 0;
                    CREATE INDEX records_type_owner_id ON records (type, owner, id) WHERE deleted = 0;
                    CREATE INDEX records_tombstones ON records (updated_at) WHERE deleted = 1;
                    """)
        }
    }
}
