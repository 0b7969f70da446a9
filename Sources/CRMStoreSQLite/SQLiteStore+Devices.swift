import CRMStore
import CRMSyncProtocol
import Foundation
import GRDB

extension SQLiteStore {
    public func addDevice(_ device: Device) async throws {
        try await write { db in
            guard try Self.fetchUser(device.user, in: db) != nil else { throw StoreError.notFound(device.user) }
            if try Self.fetchDevice(device.id, in: db) != nil { throw StoreError.alreadyExists(device.id) }
            try db.cachedStatement(
                sql: """
                    INSERT INTO devices (id, user, name, created_at, last_seen_at, revoked_at)
                    VALUES (?, ?, ?, ?, ?, ?)
                    """).execute(
                arguments: [
                    device.id, device.user, device.name, RecordRow.millis(device.createdAt),
                    device.lastSeenAt.map(RecordRow.millis), device.revokedAt.map(RecordRow.millis),
                ])
        }
    }

    public func device(id: String) async throws -> Device? {
        try await read { db in try Self.fetchDevice(id, in: db) }
    }

    public func devices(user: String?) async throws -> [Device] {
        try await read { db in
            let rows =
                if let user {
                    try Row.fetchAll(
                        db.cachedStatement(sql: "SELECT * FROM devices WHERE user = ? ORDER BY created_at, id"), arguments: [user])
                } else {
                    try Row.fetchAll(db.cachedStatement(sql: "SELECT * FROM devices ORDER BY user, created_at, id"))
                }
            return rows.map(Self.device)
        }
    }

    public func revokeDevice(id: String, at date: Date) async throws -> Device {
        try await write { db in
            guard try Self.fetchDevice(id, in: db) != nil else { throw StoreError.notFound(id) }
            try db.cachedStatement(
                sql: "UPDATE devices SET revoked_at = coalesce(revoked_at, ?) WHERE id = ?").execute(
                arguments: [RecordRow.millis(date), id])
            try Self.endCredentials(where: "device = ?", [id], in: db)
            guard let revoked = try Self.fetchDevice(id, in: db) else { throw StoreError.notFound(id) }
            return revoked
        }
    }

    public func revokedDevice(tokenHash: String) async throws -> String? {
        try await read { db in
            try String.fetchOne(
                db.cachedStatement(sql: "SELECT device FROM revoked_tokens WHERE token_hash = ?"), arguments: [tokenHash])
        }
    }

    public func touchDevice(id: String, at date: Date) async throws {
        try await write { db in
            try db.cachedStatement(
                sql: "UPDATE devices SET last_seen_at = ? WHERE id = ? AND revoked_at IS NULL").execute(
                arguments: [RecordRow.millis(date), id])
        }
    }

    public func createRefreshToken(_ token: RefreshToken) async throws {
        try await write { db in
            guard try Self.fetchDevice(token.device, in: db) != nil else { throw StoreError.notFound(token.device) }
            try db.cachedStatement(
                sql: """
                    INSERT INTO refresh_tokens (token_hash, device, user, created_at, expires_at)
                    VALUES (?, ?, ?, ?, ?)
                    """).execute(
                arguments: [
                    token.tokenHash, token.device, token.user, RecordRow.millis(token.createdAt),
                    RecordRow.millis(token.expiresAt),
                ])
        }
    }

    public func refreshToken(tokenHash: String) async throws -> RefreshToken? {
        try await read { db in
            try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM refresh_tokens WHERE token_hash = ?"), arguments: [tokenHash])
                .map {
                    RefreshToken(
                        tokenHash: $0["token_hash"], device: $0["device"], user: $0["user"],
                        createdAt: RecordRow.date($0["created_at"]), expiresAt: RecordRow.date($0["expires_at"]))
                }
        }
    }

    public func deleteRefreshToken(tokenHash: String) async throws {
        try await write { db in
            try db.cachedStatement(sql: "DELETE FROM refresh_tokens WHERE token_hash = ?").execute(arguments: [tokenHash])
        }
    }

    /// Revokes every device of `user` not yet revoked and ends their sessions and refresh tokens, inside the
    /// caller's transaction (disabling a user).
    static func revokeDevices(user: String, at date: Date, in db: Database) throws {
        try db.cachedStatement(
            sql: "UPDATE devices SET revoked_at = ? WHERE user = ? AND revoked_at IS NULL").execute(
            arguments: [RecordRow.millis(date), user])
        try endCredentials(where: "user = ?", [user], in: db)
    }

    /// Deletes the device-bound sessions and the refresh tokens matching `condition`, remembering their hashes
    /// in `revoked_tokens` until they would have expired.
    private static func endCredentials(where condition: String, _ arguments: StatementArguments, in db: Database)
        throws
    {
        for table in ["sessions", "refresh_tokens"] {
            try db.execute(
                sql: """
                    INSERT OR IGNORE INTO revoked_tokens (token_hash, device, expires_at)
                    SELECT token_hash, device, expires_at FROM \(table) WHERE device IS NOT NULL AND \(condition)
                    """, arguments: arguments)
            try db.execute(sql: "DELETE FROM \(table) WHERE device IS NOT NULL AND \(condition)", arguments: arguments)
        }
    }

    static func fetchDevice(_ id: String, in db: Database) throws -> Device? {
        try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM devices WHERE id = ?"), arguments: [id]).map(device)
    }

    static func device(_ row: Row) -> Device {
        Device(
            id: row["id"], user: row["user"], name: row["name"], createdAt: RecordRow.date(row["created_at"]),
            lastSeenAt: (row["last_seen_at"] as Int64?).map(RecordRow.date),
            revokedAt: (row["revoked_at"] as Int64?).map(RecordRow.date))
    }
}
