extension PostgresSchema {
    /// Records, their team and reference indexes, and the `meta` rows (the change sequence, the store's epoch).
    ///
    /// Text keys are `COLLATE "C"` so that ids, owners and types compare by bytes, as in SQLite, whatever the
    /// database's locale. `fields` is JSONB: its numbers are `numeric`, so decimals keep every digit (1.10 stays
    /// 1.10). One GIN index over the fields lower-cased serves both equality filters of lists and the
    /// duplicate and global-key look-ups of pushes (text compared without case): the queries test containment
    /// in it, then the exact condition.
    static let records = Migration(
        name: "v1-records",
        statements: [
            """
            CREATE TABLE meta (key TEXT COLLATE "C" PRIMARY KEY, value TEXT NOT NULL)
            """,
            // `seq` is the one counter row every writing transaction locks first (see `recordTransaction`).
            """
            INSERT INTO meta (key, value) VALUES ('seq', '0'), ('epoch', replace(gen_random_uuid()::text, '-', ''))
            """,
            """
            CREATE TABLE records (
                id TEXT COLLATE "C" PRIMARY KEY,
                type TEXT COLLATE "C" NOT NULL,
                version INTEGER NOT NULL,
                seq BIGINT NOT NULL UNIQUE,
                deleted BOOLEAN NOT NULL DEFAULT false,
                owner TEXT COLLATE "C" NOT NULL,
                team JSONB NOT NULL DEFAULT '[]',
                created_at BIGINT NOT NULL,
                updated_at BIGINT NOT NULL,
                updated_by TEXT NOT NULL,
                fields JSONB NOT NULL,
                field_versions TEXT NOT NULL
            )
            """,
            "CREATE INDEX records_type_id ON records (type, id) WHERE NOT deleted",
            "CREATE INDEX records_type_owner_id ON records (type, owner, id) WHERE NOT deleted",
            "CREATE INDEX records_type_created ON records (type, created_at, id) WHERE NOT deleted",
            "CREATE INDEX records_type_updated ON records (type, updated_at, id) WHERE NOT deleted",
            "CREATE INDEX records_tombstones ON records (updated_at) WHERE deleted",
            """
            CREATE INDEX records_fields_folded ON records USING gin ((lower(fields::text)::jsonb) jsonb_path_ops)
            WHERE NOT deleted
            """,
            """
            CREATE TABLE record_team (
                user_name TEXT COLLATE "C" NOT NULL,
                record_id TEXT COLLATE "C" NOT NULL,
                PRIMARY KEY (user_name, record_id)
            )
            """,
            "CREATE INDEX record_team_record ON record_team (record_id)",
            // Targets are record ids, or `sha256:<hex>` for the content an attachments field lists.
            """
            CREATE TABLE record_refs (
                target_id TEXT COLLATE "C" NOT NULL,
                field TEXT COLLATE "C" NOT NULL,
                source_id TEXT COLLATE "C" NOT NULL,
                PRIMARY KEY (target_id, field, source_id)
            )
            """,
            "CREATE INDEX record_refs_source ON record_refs (source_id)",
        ])
}
