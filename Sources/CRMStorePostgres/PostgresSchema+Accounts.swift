extension PostgresSchema {
    /// Users, sessions, devices and their refresh tokens, the remembered credentials of revoked devices,
    /// failed-login counters and published packages: the SQLite store's tables, with times as `timestamptz`
    /// holding whole milliseconds (`StoreTime`) and `user_name` for SQLite's `user` (a reserved word here).
    ///
    /// Names and ids compare byte by byte (`COLLATE "C"`), so lists come out in the SQLite store's order
    /// whatever the database's locale.
    static let accounts = Migration(
        name: "v1-accounts",
        statements: [
            """
            CREATE TABLE users (
                name TEXT COLLATE "C" PRIMARY KEY,
                password_hash TEXT NOT NULL,
                role TEXT NOT NULL,
                manager TEXT COLLATE "C" REFERENCES users (name),
                emails TEXT[] NOT NULL DEFAULT '{}',
                enabled BOOLEAN NOT NULL DEFAULT true,
                created_at TIMESTAMPTZ NOT NULL
            )
            """,
            "CREATE INDEX users_manager ON users (manager)",
            """
            CREATE TABLE devices (
                id TEXT COLLATE "C" PRIMARY KEY,
                user_name TEXT COLLATE "C" NOT NULL REFERENCES users (name),
                name TEXT NOT NULL,
                created_at TIMESTAMPTZ NOT NULL,
                last_seen_at TIMESTAMPTZ,
                revoked_at TIMESTAMPTZ
            )
            """,
            "CREATE INDEX devices_user ON devices (user_name, created_at, id)",
            """
            CREATE TABLE sessions (
                token_hash TEXT PRIMARY KEY,
                user_name TEXT NOT NULL REFERENCES users (name),
                created_at TIMESTAMPTZ NOT NULL,
                expires_at TIMESTAMPTZ NOT NULL,
                device TEXT REFERENCES devices (id)
            )
            """,
            "CREATE INDEX sessions_user ON sessions (user_name)",
            "CREATE INDEX sessions_device ON sessions (device) WHERE device IS NOT NULL",
            "CREATE INDEX sessions_expiry ON sessions (expires_at)",
            """
            CREATE TABLE refresh_tokens (
                token_hash TEXT PRIMARY KEY,
                device TEXT NOT NULL REFERENCES devices (id),
                user_name TEXT NOT NULL REFERENCES users (name),
                created_at TIMESTAMPTZ NOT NULL,
                expires_at TIMESTAMPTZ NOT NULL
            )
            """,
            "CREATE INDEX refresh_tokens_device ON refresh_tokens (device)",
            "CREATE INDEX refresh_tokens_user ON refresh_tokens (user_name)",
            """
            CREATE TABLE revoked_tokens (
                token_hash TEXT PRIMARY KEY,
                device TEXT NOT NULL,
                expires_at TIMESTAMPTZ NOT NULL
            )
            """,
            "CREATE INDEX revoked_tokens_expiry ON revoked_tokens (expires_at)",
            """
            CREATE TABLE login_failures (
                key TEXT PRIMARY KEY,
                failures INTEGER NOT NULL,
                last_failure TIMESTAMPTZ NOT NULL,
                locked_until TIMESTAMPTZ
            )
            """,
            """
            CREATE TABLE packages (
                version INTEGER PRIMARY KEY,
                name TEXT NOT NULL,
                source TEXT NOT NULL,
                json BYTEA NOT NULL,
                published_at TIMESTAMPTZ NOT NULL
            )
            """,
            """
            CREATE TABLE package_roles (
                role TEXT COLLATE "C" PRIMARY KEY,
                version INTEGER NOT NULL REFERENCES packages (version)
            )
            """,
            "CREATE INDEX package_roles_version ON package_roles (version, role)",
        ])
}
