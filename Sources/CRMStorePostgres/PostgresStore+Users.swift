import CRMStore
import Foundation
import PostgresNIO

extension PostgresStore: UserStore {
    public func addUser(_ user: User) async throws {
        // Two servers adding one name at once: the second insert waits for the first to commit, then finds it.
        let inserted = try await execute(
            """
            INSERT INTO users (name, password_hash, role, manager, emails, enabled, created_at)
            VALUES (\(user.name), \(user.passwordHash), \(user.role), \(user.manager), \(user.emails), \(user.enabled),
                \(StoreTime(user.createdAt)))
            ON CONFLICT (name) DO NOTHING RETURNING name
            """)
        if inserted.isEmpty { throw StoreError.alreadyExists(user.name) }
    }

    public func user(named name: String) async throws -> User? {
        try await execute("SELECT \(unescaped: Self.userColumns) FROM users WHERE name = \(name)").first.map(Self.user)
    }

    public func users() async throws -> [User] {
        try await execute("SELECT \(unescaped: Self.userColumns) FROM users ORDER BY name").map(Self.user)
    }

    public func updateUser(named name: String, change: @escaping @Sendable (inout User) throws -> Void) async throws
        -> User
    {
        // The change's own error comes out as it was thrown (the pool would report it as a database failure):
        // it is returned from the transaction, which has written nothing yet, and thrown here.
        let outcome: Result<User, any Error> = try await transaction { connection in
            let rows = try await connection.rows(
                "SELECT \(unescaped: Self.userColumns) FROM users WHERE name = \(name) FOR NO KEY UPDATE",
                logger: self.logger
            )
            guard var user = try rows.first.map(Self.user) else { throw StoreError.notFound(name) }
            do {
                try change(&user)
            } catch {
                return .failure(error)
            }
            user.name = name  // user names never change: records name their owner by it
            try await connection.rows(
                """
                UPDATE users SET password_hash = \(user.passwordHash), role = \(user.role), manager = \(user.manager),
                    emails = \(user.emails), enabled = \(user.enabled)
                WHERE name = \(name)
                """, logger: self.logger)
            if !user.enabled {
                // Devices first: revoking remembers the hashes of their sessions before the sessions go.
                try await self.revokeDevices(user: name, at: Date(), on: connection)
                try await connection.rows("DELETE FROM sessions WHERE user_name = \(name)", logger: self.logger)
            }
            return .success(user)
        }
        return try outcome.get()
    }

    public func reports(of name: String) async throws -> Set<String> {
        // UNION (not UNION ALL) ends a manager cycle: a name already below is not walked again.
        let rows = try await execute(
            """
            WITH RECURSIVE below(name) AS (
                SELECT name FROM users WHERE manager = \(name)
                UNION SELECT users.name FROM users JOIN below ON users.manager = below.name
            )
            SELECT name FROM below
            """)
        return Set(try rows.map { try $0.decode(String.self) }).subtracting([name])
    }

    static let userColumns = "name, password_hash, role, manager, emails, enabled, created_at"

    /// The user of a row that selected `userColumns`.
    static func user(_ row: PostgresRow) throws -> User {
        let (name, hash, role, manager, emails, enabled, createdAt) = try row.decode(
            (String, String, String, String?, [String], Bool, StoreTime).self)
        return User(
            name: name, passwordHash: hash, role: role, manager: manager, emails: emails, enabled: enabled,
            createdAt: createdAt.date)
    }
}
