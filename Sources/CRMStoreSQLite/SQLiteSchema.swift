import GRDB

/// The schema of the server's SQLite file, as migrations.
enum SQLiteSchema {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-records-users-sessions") { db in
            try db.execute(
                sql: """
                    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
                    INSERT INTO meta (key, value) VALUES ('seq', '0');
                    INSERT INTO meta (key, value) VALUES ('epoch', lower(hex(randomblob(16))));

                    CREATE TABLE records (
                        id TEXT PRIMARY KEY,
                        type TEXT NOT NULL,
                        version INTEGER NOT NULL,
                        seq INTEGER NOT NULL UNIQUE,
                        deleted INTEGER NOT NULL DEFAULT 0,
                        owner TEXT NOT NULL,
                        team TEXT NOT NULL DEFAULT '[]',
                        created_at INTEGER NOT NULL,
                        updated_at INTEGER NOT NULL,
                        updated_by TEXT NOT NULL,
                        fields TEXT NOT NULL,
                        field_versions TEXT NOT NULL
                    );
                    CREATE INDEX records_type_owner ON records (type, owner) WHERE deleted = 0;
                    CREATE INDEX records_type_created ON records (type, created_at) WHERE deleted = 0;

                    CREATE TABLE record_team (
                        user TEXT NOT NULL, record_id TEXT NOT NULL, PRIMARY KEY (user, record_id)
                    ) WITHOUT ROWID;
                    CREATE INDEX record_team_record ON record_team (record_id);

                    CREATE TABLE record_refs (
                        target_id TEXT NOT NULL, field TEXT NOT NULL, source_id TEXT NOT NULL,
                        PRIMARY KEY (target_id, field, source_id)
                    ) WITHOUT ROWID;
                    CREATE INDEX record_refs_source ON record_refs (source_id);

                    CREATE TABLE users (
                        name TEXT PRIMARY KEY,
                        password_hash TEXT NOT NULL,
                        role TEXT NOT NULL,
                        manager TEXT REFERENCES users(name),
                        emails TEXT NOT NULL DEFAULT '[]',
                        enabled INTEGER NOT NULL DEFAULT 1,
                        created_at INTEGER NOT NULL
                    );
                    CREATE INDEX users_manager ON users (manager);

                    CREATE TABLE sessions (
                        token_hash TEXT PRIMARY KEY,
                        user TEXT NOT NULL REFERENCES users(name),
                        created_at INTEGER NOT NULL,
                        expires_at INTEGER NOT NULL
                    );
                    CREATE INDEX sessions_user ON sessions (user);

                    CREATE TABLE login_failures (
                        key TEXT PRIMARY KEY,
                        failures INTEGER NOT NULL,
                        last_failure INTEGER NOT NULL,
                        locked_until INTEGER
                    );

                    CREATE TABLE packages (
                        version INTEGER PRIMARY KEY,
                        name TEXT NOT NULL,
                        source TEXT NOT NULL,
                        json BLOB NOT NULL,
                        published_at INTEGER NOT NULL
                    );
                    CREATE TABLE package_roles (
                        role TEXT PRIMARY KEY,
                        version INTEGER NOT NULL REFERENCES packages(version)
                    );
                    """)
        }
        migrator.registerMigration("v2-devices") { db in
            try db.execute(
                sql: """
                    CREATE TABLE devices (
                        id TEXT PRIMARY KEY,
                        user TEXT NOT NULL REFERENCES users(name),
                        name TEXT NOT NULL,
                        created_at INTEGER NOT NULL,
                        last_seen_at INTEGER,
                        revoked_at INTEGER
                    );
                    CREATE INDEX devices_user ON devices (user, created_at);

                    CREATE TABLE refresh_tokens (
                        token_hash TEXT PRIMARY KEY,
                        device TEXT NOT NULL REFERENCES devices(id),
                        user TEXT NOT NULL REFERENCES users(name),
                        created_at INTEGER NOT NULL,
                        expires_at INTEGER NOT NULL
                    );
                    CREATE INDEX refresh_tokens_device ON refresh_tokens (device);
                    CREATE INDEX refresh_tokens_user ON refresh_tokens (user);

                    CREATE TABLE revoked_tokens (
                        token_hash TEXT PRIMARY KEY,
                        device TEXT NOT NULL,
                        expires_at INTEGER NOT NULL
                    );
                    CREATE INDEX revoked_tokens_expiry ON revoked_tokens (expires_at);

                    ALTER TABLE sessions ADD COLUMN device TEXT REFERENCES devices(id);
                    CREATE INDEX sessions_device ON sessions (device) WHERE device IS NOT NULL;
                    """)
        }
        registerSync(&migrator)
        registerAttachments(&migrator)
        registerKeys(&migrator)
        registerLoadIndexes(&migrator)
        registerAttachmentReceipts(&migrator)
        registerSearch(&migrator)
        registerFetched(&migrator)
        registerDeferredSearch(&migrator)
        return migrator
    }
}

extension Database {
    /// Reserves `count` sequence numbers and returns the first. Writes are serialized by SQLite's write lock,
    /// so numbers are given in commit order and the change feed never skips a commit.
    func reserveSequence(_ count: Int64 = 1) throws -> Int64 {
        let last = try Int64.fetchOne(cachedStatement(sql: "SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'seq'")) ?? 0
        try cachedStatement(sql: "UPDATE meta SET value = ? WHERE key = 'seq'").execute(arguments: [String(last + count)])
        return last + 1
    }
}
