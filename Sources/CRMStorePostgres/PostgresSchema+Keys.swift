extension PostgresSchema {
    /// The global-key table: one row per key a live record holds (`GlobalKeys`), unique per type, field and
    /// folded value, so that two writers can never both store one key. The rows are built from the records by
    /// the first record transaction after this migration (the `meta` row `keys` names the keys the table was
    /// built for; absent, it is built), and again whenever a package changes the keys.
    static let keys = Migration(
        name: "v2-record-keys",
        statements: [
            """
            CREATE TABLE record_keys (
                type TEXT COLLATE "C" NOT NULL,
                field TEXT COLLATE "C" NOT NULL,
                value TEXT COLLATE "C" NOT NULL,
                record_id TEXT COLLATE "C" NOT NULL,
                PRIMARY KEY (type, field, value)
            )
            """,
            "CREATE INDEX record_keys_record ON record_keys (record_id)",
        ])
}
