extension PostgresSchema {
    /// Devices' scopes and pending pages, op results, the sync log, and the key that signs cursors (in `meta`,
    /// shared by every server on the database).
    static let sync = Migration(
        name: "v1-sync",
        statements: [
            """
            INSERT INTO meta (key, value)
            VALUES ('cursor_key', replace(gen_random_uuid()::text || gen_random_uuid()::text, '-', ''))
            """,
            """
            CREATE TABLE device_sync (
                device TEXT COLLATE "C" PRIMARY KEY,
                user_name TEXT COLLATE "C" NOT NULL,
                state TEXT NOT NULL,
                pending_generation BIGINT,
                pending_delta TEXT
            )
            """,
            """
            CREATE TABLE device_scope (
                device TEXT COLLATE "C" NOT NULL,
                record_id TEXT COLLATE "C" NOT NULL,
                type TEXT COLLATE "C" NOT NULL,
                version INTEGER NOT NULL,
                reason TEXT NOT NULL,
                PRIMARY KEY (device, record_id)
            )
            """,
            "CREATE INDEX device_scope_type ON device_scope (device, type, record_id)",
            """
            CREATE TABLE op_results (
                device TEXT COLLATE "C" NOT NULL,
                op_id TEXT COLLATE "C" NOT NULL,
                result TEXT NOT NULL,
                created_at BIGINT NOT NULL,
                PRIMARY KEY (device, op_id)
            )
            """,
            "CREATE INDEX op_results_created ON op_results (created_at)",
            """
            CREATE TABLE sync_sessions (
                id TEXT COLLATE "C" PRIMARY KEY,
                user_name TEXT COLLATE "C" NOT NULL,
                device TEXT COLLATE "C" NOT NULL,
                started_at BIGINT NOT NULL,
                expires_at BIGINT NOT NULL,
                ended_at BIGINT,
                filter TEXT NOT NULL,
                counts TEXT NOT NULL,
                client_counts TEXT,
                errors TEXT NOT NULL DEFAULT '[]'
            )
            """,
            "CREATE INDEX sync_sessions_started ON sync_sessions (started_at)",
            "CREATE INDEX sync_sessions_user ON sync_sessions (user_name, started_at)",
            "CREATE INDEX sync_sessions_device ON sync_sessions (device, started_at)",
        ])
}
