import CRMStore
import Foundation
import GRDB

extension SQLiteStore {
    public func addUser(_ user: User) async throws {
        try await write { db in
            if try Self.fetchUser(user.name, in: db) != nil { throw StoreError.alreadyExists(user.name) }
            try Self.saveUser(user, in: db)
        }
    }

    public func user(named name: String) async throws -> User? {
        try await read { db in try Self.fetchUser(name, in: db) }
    }

    public func users() async throws -> [User] {
        try await read { db in
            try Row.fetchAll(db.cachedStatement(sql: "SELECT * FROM users ORDER BY name")).map(Self.user)
        }
    }

    public func updateUser(named name: String, change: @escaping @Sendable (inout User) throws -> Void) async throws
        -> User
    {
        try await write { db in
            guard var user = try Self.fetchUser(name, in: db) else { throw StoreError.notFound(name) }
            try change(&user)
            user.name = name  // user names never change: records name their owner by it
            try Self.saveUser(user, in: db)
            if !user.enabled {
                try Self.revokeDevices(user: name, at: Date(), in: db)  // first: it remembers device sessions
                try db.cachedStatement(sql: "DELETE FROM sessions WHERE user = ?").execute(arguments: [name])
            }
            return user
        }
    }

    public func reports(of name: String) async throws -> Set<String> {
        try await read { db in try Self.reports(of: name, in: db) }
    }

    static func reports(of name: String, in db: Database) throws -> Set<String> {
        let names = try String.fetchAll(
            db.cachedStatement(
                sql: """
                    WITH RECURSIVE below(name) AS (
                        SELECT name FROM users WHERE manager = ?
                        UNION SELECT users.name FROM users JOIN below ON users.manager = below.name
                    )
                    SELECT name FROM below
                    """), arguments: [name])
        return Set(names).subtracting([name])
    }

    static func fetchUser(_ name: String, in db: Database) throws -> User? {
        try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM users WHERE name = ?"), arguments: [name]).map(user)
    }

    static func user(_ row: Row) throws -> User {
        let emails: String = row["emails"]
        return User(
            name: row["name"], passwordHash: row["password_hash"], role: row["role"], manager: row["manager"],
            emails: try JSONDecoder().decode([String].self, from: Data(emails.utf8)), enabled: row["enabled"],
            createdAt: RecordRow.date(row["created_at"]))
    }

    static func saveUser(_ user: User, in db: Database) throws {
        let emails = String(decoding: try JSONEncoder().encode(user.emails), as: UTF8.self)
        try db.cachedStatement(
            sql: """
                INSERT INTO users (name, password_hash, role, manager, emails, enabled, created_at)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (name) DO UPDATE SET password_hash = excluded.password_hash, role = excluded.role,
                    manager = excluded.manager, emails = excluded.emails, enabled = excluded.enabled
                """).execute(
            arguments: [
                user.name, user.passwordHash, user.role, user.manager, emails, user.enabled,
                RecordRow.millis(user.createdAt),
            ])
    }
}
