import CRMStore
import Foundation
import PostgresNIO

extension PostgresStore: SessionStore {
    public func createSession(_ session: Session) async throws {
        try await execute(
            """
            INSERT INTO sessions (token_hash, user_name, created_at, expires_at, device)
            VALUES (\(session.tokenHash), \(session.user), \(StoreTime(session.createdAt)),
                \(StoreTime(session.expiresAt)), \(session.device))
            """)
    }

    public func session(tokenHash: String) async throws -> Session? {
        let rows = try await execute(
            "SELECT user_name, created_at, expires_at, device FROM sessions WHERE token_hash = \(tokenHash)")
        return try rows.first.map { row in
            let (user, createdAt, expiresAt, device) = try row.decode((String, StoreTime, StoreTime, String?).self)
            return Session(
                tokenHash: tokenHash, user: user, createdAt: createdAt.date, expiresAt: expiresAt.date, device: device)
        }
    }

    public func deleteSession(tokenHash: String) async throws {
        try await execute("DELETE FROM sessions WHERE token_hash = \(tokenHash)")
    }

    public func deleteSessions(user: String) async throws {
        try await execute("DELETE FROM sessions WHERE user_name = \(user)")
    }

    public func deleteExpiredSessions(before date: Date) async throws {
        let cutoff = StoreTime(date)
        try await transaction { connection in
            try await connection.rows("DELETE FROM sessions WHERE expires_at < \(cutoff)", logger: self.logger)
            try await connection.rows("DELETE FROM revoked_tokens WHERE expires_at < \(cutoff)", logger: self.logger)
        }
    }
}
