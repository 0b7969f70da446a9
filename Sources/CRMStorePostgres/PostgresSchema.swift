import CRMStore
import Foundation
import PostgresNIO

/// The PostgreSQL schema as a list of named migrations, applied in order, each in its own transaction and at
/// most once. An advisory lock makes servers that start together on a new database take turns.
enum PostgresSchema {
    /// One step of the schema: a name recorded in `schema_migrations` once applied, and its statements.
    struct Migration: Sendable {
        var name: String
        var statements: [String]
    }

    /// Every migration, oldest first. Parts of the store add theirs here (one list, so the order is explicit).
    static var migrations: [Migration] {
        [base] + PostgresSchema.storeMigrations
    }

    /// The bookkeeping every later migration relies on.
    static let base = Migration(
        name: "v0-schema-migrations",
        statements: [
            "CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())"
        ])

    /// A key for `pg_advisory_xact_lock`: the same number in every process.
    static let lockKey: Int64 = 0x43524D_5343_4845  // "CRMSCHE"

    /// Applies the migrations the database lacks and returns their names, oldest first (empty: it was up to
    /// date). Refuses a database that a newer server has migrated further (see `refuseNewer`).
    @discardableResult
    static func migrate(_ store: PostgresStore) async throws -> [String] {
        try await store.transaction { connection in
            try await connection.rows("SELECT pg_advisory_xact_lock(\(lockKey))", logger: store.logger)
            try await connection.rows(PostgresQuery(unsafeSQL: base.statements[0]), logger: store.logger)
        }
        try refuseNewer(applied: try await appliedMigrations(store))
        var applied: [String] = []
        for migration in migrations.dropFirst() {
            let ran = try await store.transaction { connection -> Bool in
                try await connection.rows("SELECT pg_advisory_xact_lock(\(lockKey))", logger: store.logger)
                let done = try await connection.rows(
                    "SELECT 1 FROM schema_migrations WHERE name = \(migration.name)", logger: store.logger)
                if !done.isEmpty { return false }
                for statement in migration.statements {
                    try await connection.rows(PostgresQuery(unsafeSQL: statement), logger: store.logger)
                }
                try await connection.rows(
                    "INSERT INTO schema_migrations (name) VALUES (\(migration.name))", logger: store.logger)
                return true
            }
            if ran { applied.append(migration.name) }
        }
        return applied
    }

    /// The names recorded in `schema_migrations`.
    static func appliedMigrations(_ store: PostgresStore) async throws -> Set<String> {
        var applied = Set<String>()
        for row in try await store.execute("SELECT name FROM schema_migrations") {
            applied.insert(try row.decode(String.self))
        }
        return applied
    }

    /// Throws when the database holds migrations this program does not know: a newer server migrated it, and
    /// this one would misread (or damage) what the newer schema stores.
    static func refuseNewer(applied: Set<String>) throws {
        let known = Set(migrations.map(\.name))
        let unknown = applied.subtracting(known).sorted()
        guard unknown.isEmpty else {
            throw StoreError.database(
                "the database schema is newer than this server (it has migrations this server does not know: "
                    + "\(unknown.joined(separator: ", "))): run the newer crm-server that migrated it")
        }
    }

    /// Throws when the database lacks a migration this program needs (`crm-server migrate` applies them).
    static func check(_ store: PostgresStore) async throws {
        let applied: Set<String>
        do {
            applied = try await appliedMigrations(store)
        } catch {
            throw StoreError.database("the database has no CRM schema yet: run `crm-server migrate` first")
        }
        try refuseNewer(applied: applied)
        let missing = migrations.dropFirst().map(\.name).filter { !applied.contains($0) }
        if !missing.isEmpty {
            throw StoreError.database(
                "the database schema is older than this server (missing \(missing.joined(separator: ", "))): "
                    + "run `crm-server migrate`")
        }
    }
}
