import GRDB

/// The replica's tables. One SQLite file per home folder:
/// - `records`: the last server copy of each record (the full record as JSON), never a local edit; a copy taken
///   from a push answer is `provisional` until a pull confirms the record is in the device's scope;
/// - `outbox`: the user's changes not yet confirmed, in order (the op as JSON), apart from the server copies;
/// - `exclusions`: records the user removed from this desktop only; pulls skip them;
/// - `sync_log`: the receipts of this desktop's syncs;
/// - `meta`: cursor, installed package, filter and its parameters.
enum ReplicaSchema {
    static func migrator() -> DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(
                sql: """
                    CREATE TABLE meta (key TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL);
                    CREATE TABLE records (
                        id TEXT PRIMARY KEY NOT NULL,
                        type TEXT NOT NULL,
                        version INTEGER NOT NULL,
                        incomplete INTEGER NOT NULL DEFAULT 0,
                        provisional INTEGER NOT NULL DEFAULT 0,
                        json TEXT NOT NULL
                    );
                    CREATE INDEX records_type ON records(type, id);
                    CREATE TABLE outbox (
                        seq INTEGER PRIMARY KEY AUTOINCREMENT,
                        op_id TEXT NOT NULL UNIQUE,
                        record_id TEXT NOT NULL,
                        type TEXT NOT NULL,
                        state TEXT NOT NULL DEFAULT 'pending',
                        sent INTEGER NOT NULL DEFAULT 0,
                        json TEXT NOT NULL,
                        failure TEXT
                    );
                    CREATE INDEX outbox_record ON outbox(record_id, seq);
                    CREATE TABLE exclusions (
                        id TEXT PRIMARY KEY NOT NULL,
                        type TEXT NOT NULL,
                        excluded_at TEXT NOT NULL
                    );
                    CREATE TABLE sync_log (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        started_at TEXT NOT NULL,
                        json TEXT NOT NULL
                    );
                    """)
        }
        // The PIM bridge's status table: per item, the record it stands for and what was last written, so
        // that a change on either side is told from an echo of the other.
        migrator.registerMigration("v2-pim") { db in
            try db.execute(
                sql: """
                    CREATE TABLE pim_items (
                        collection TEXT NOT NULL,
                        href TEXT NOT NULL,
                        crm_id TEXT NOT NULL,
                        etag TEXT NOT NULL,
                        item_hash TEXT NOT NULL,
                        fields_hash TEXT NOT NULL,
                        written BLOB,
                        PRIMARY KEY (collection, href)
                    );
                    CREATE INDEX pim_items_crm ON pim_items(crm_id);
                    CREATE TABLE pim_unshared (crm_id TEXT PRIMARY KEY NOT NULL, unshared_at TEXT NOT NULL);
                    CREATE TABLE pim_tokens (collection TEXT PRIMARY KEY NOT NULL, token TEXT NOT NULL);
                    CREATE TABLE pim_problems (
                        collection TEXT NOT NULL,
                        href TEXT NOT NULL,
                        line INTEGER NOT NULL,
                        message TEXT NOT NULL,
                        seen_at TEXT NOT NULL,
                        PRIMARY KEY (collection, href)
                    );
                    """)
        }
        // Email sharing: what was shared (for `status` and to never share a message twice), which maildir
        // files tracking has looked at, and the messages it could not read.
        migrator.registerMigration("v3-mail") { db in
            try db.execute(
                sql: """
                    CREATE TABLE mail_shares (
                        message_id TEXT PRIMARY KEY NOT NULL,
                        record_id TEXT NOT NULL,
                        source TEXT NOT NULL,
                        subject TEXT NOT NULL,
                        direction TEXT NOT NULL,
                        shared_at TEXT NOT NULL
                    );
                    CREATE TABLE mail_seen (
                        folder TEXT NOT NULL,
                        name TEXT NOT NULL,
                        fingerprint TEXT NOT NULL,
                        PRIMARY KEY (folder, name)
                    );
                    CREATE TABLE mail_problems (
                        source TEXT PRIMARY KEY NOT NULL,
                        message TEXT NOT NULL,
                        seen_at TEXT NOT NULL
                    );
                    """)
        }
        // The copies a sync's end looks for (`dropUnconfirmedCopies`): few, so an incremental sync finds them
        // without reading every record.
        migrator.registerMigration("v4-provisional-index") { db in
            try db.execute(sql: "CREATE INDEX records_provisional ON records(id) WHERE provisional = 1")
        }
        // The PIM status's source stamp in a column of its own (it shared `fields_hash` as `hash@stamp`).
        migrator.registerMigration("v5-pim-source-stamp") { db in
            try db.execute(
                sql: """
                    ALTER TABLE pim_items ADD COLUMN source_stamp TEXT;
                    UPDATE pim_items SET source_stamp = substr(fields_hash, instr(fields_hash, '@') + 1),
                        fields_hash = substr(fields_hash, 1, instr(fields_hash, '@') - 1)
                    WHERE instr(fields_hash, '@') > 0;
                    """)
        }
        // Records the user brought here by hand (`fetch`), outside the filter, until `drop`.
        migrator.registerMigration("v6-fetched") { db in
            try db.execute(
                sql: "CREATE TABLE fetched (id TEXT PRIMARY KEY, type TEXT NOT NULL, fetched_at INTEGER NOT NULL)")
        }
        return migrator
    }
}
