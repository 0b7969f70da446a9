import CRMStore
import CRMSyncProtocol
import Foundation
import PostgresNIO

extension PostgresStore: DeviceStore {
    public func addDevice(_ device: Device) async throws {
        try await transaction { connection in
            // The user's row is locked (shared) so that it cannot go between the check and the insert.
            let user = try await connection.rows(
                "SELECT 1 FROM users WHERE name = \(device.user) FOR KEY SHARE", logger: self.logger
            )
            guard !user.isEmpty else { throw StoreError.notFound(device.user) }
            let inserted = try await connection.rows(
                """
                INSERT INTO devices (id, user_name, name, created_at, last_seen_at, revoked_at)
                VALUES (\(device.id), \(device.user), \(device.name), \(StoreTime(device.createdAt)),
                    \(device.lastSeenAt.map(StoreTime.init)), \(device.revokedAt.map(StoreTime.init)))
                ON CONFLICT (id) DO NOTHING RETURNING id
                """, logger: self.logger
            )
            if inserted.isEmpty { throw StoreError.alreadyExists(device.id) }
        }
    }

    public func device(id: String) async throws -> Device? {
        try await execute("SELECT \(unescaped: Self.deviceColumns) FROM devices WHERE id = \(id)").first
            .map(Self.device)
    }

    public func devices(user: String?) async throws -> [Device] {
        let rows =
            if let user {
                try await execute(
                    """
                    SELECT \(unescaped: Self.deviceColumns) FROM devices WHERE user_name = \(user)
                    ORDER BY created_at, id
                    """)
            } else {
                try await execute(
                    "SELECT \(unescaped: Self.deviceColumns) FROM devices ORDER BY user_name, created_at, id")
            }
        return try rows.map(Self.device)
    }

    public func revokeDevice(id: String, at date: Date) async throws -> Device {
        try await transaction { connection in
            let rows = try await connection.rows(
                """
                UPDATE devices SET revoked_at = coalesce(revoked_at, \(StoreTime(date))) WHERE id = \(id)
                RETURNING \(unescaped: Self.deviceColumns)
                """, logger: self.logger
            )
            guard let revoked = try rows.first.map(Self.device) else { throw StoreError.notFound(id) }
            try await self.endCredentials(device: id, on: connection)
            return revoked
        }
    }

    public func revokedDevice(tokenHash: String) async throws -> String? {
        try await execute("SELECT device FROM revoked_tokens WHERE token_hash = \(tokenHash)").first?
            .decode(String.self)
    }

    public func touchDevice(id: String, at date: Date) async throws {
        try await execute(
            "UPDATE devices SET last_seen_at = \(StoreTime(date)) WHERE id = \(id) AND revoked_at IS NULL")
    }

    public func createRefreshToken(_ token: RefreshToken) async throws {
        try await transaction { connection in
            let device = try await connection.rows(
                "SELECT 1 FROM devices WHERE id = \(token.device) FOR KEY SHARE", logger: self.logger
            )
            guard !device.isEmpty else { throw StoreError.notFound(token.device) }
            try await connection.rows(
                """
                INSERT INTO refresh_tokens (token_hash, device, user_name, created_at, expires_at)
                VALUES (\(token.tokenHash), \(token.device), \(token.user), \(StoreTime(token.createdAt)),
                    \(StoreTime(token.expiresAt)))
                """, logger: self.logger)
        }
    }

    public func refreshToken(tokenHash: String) async throws -> RefreshToken? {
        let rows = try await execute(
            "SELECT device, user_name, created_at, expires_at FROM refresh_tokens WHERE token_hash = \(tokenHash)")
        return try rows.first.map { row in
            let (device, user, createdAt, expiresAt) = try row.decode((String, String, StoreTime, StoreTime).self)
            return RefreshToken(
                tokenHash: tokenHash, device: device, user: user, createdAt: createdAt.date, expiresAt: expiresAt.date)
        }
    }

    public func deleteRefreshToken(tokenHash: String) async throws {
        try await execute("DELETE FROM refresh_tokens WHERE token_hash = \(tokenHash)")
    }

    /// Revokes every device of `user` not yet revoked and ends all their device-bound sessions and refresh
    /// tokens, inside the caller's transaction (disabling a user).
    func revokeDevices(user: String, at date: Date, on connection: PostgresConnection) async throws {
        try await connection.rows(
            "UPDATE devices SET revoked_at = \(StoreTime(date)) WHERE user_name = \(user) AND revoked_at IS NULL",
            logger: logger)
        for table in CredentialTable.allCases {
            try await connection.rows(
                """
                WITH ended AS (
                    DELETE FROM \(unescaped: table.rawValue) WHERE device IS NOT NULL AND user_name = \(user)
                    RETURNING token_hash, device, expires_at
                )
                INSERT INTO revoked_tokens (token_hash, device, expires_at) SELECT * FROM ended
                ON CONFLICT (token_hash) DO NOTHING
                """, logger: logger)
        }
    }

    /// Deletes the sessions and refresh tokens of one device, remembering their hashes in `revoked_tokens` until
    /// they would have expired.
    private func endCredentials(device: String, on connection: PostgresConnection) async throws {
        for table in CredentialTable.allCases {
            try await connection.rows(
                """
                WITH ended AS (
                    DELETE FROM \(unescaped: table.rawValue) WHERE device = \(device)
                    RETURNING token_hash, device, expires_at
                )
                INSERT INTO revoked_tokens (token_hash, device, expires_at) SELECT * FROM ended
                ON CONFLICT (token_hash) DO NOTHING
                """, logger: logger)
        }
    }

    /// The tables holding credentials bound to a device.
    private enum CredentialTable: String, CaseIterable {
        case sessions, refreshTokens = "refresh_tokens"
    }

    static let deviceColumns = "id, user_name, name, created_at, last_seen_at, revoked_at"

    /// The device of a row that selected `deviceColumns`.
    static func device(_ row: PostgresRow) throws -> Device {
        let (id, user, name, createdAt, lastSeenAt, revokedAt) = try row.decode(
            (String, String, String, StoreTime, StoreTime?, StoreTime?).self)
        return Device(
            id: id, user: user, name: name, createdAt: createdAt.date, lastSeenAt: lastSeenAt?.date,
            revokedAt: revokedAt?.date)
    }
}
