import CRMStore
import Foundation
import GRDB

/// `crm-server backup` and `restore` on SQLite: SQLite's online backup through GRDB.
///
/// The backup copies every page inside one read transaction of the running store's pool, so it is one consistent
/// snapshot (every commit before it, none after) while servers keep writing: WAL readers do not block writers.
extension SQLiteStore {
    /// Writes a consistent copy of the whole database to a new file at `file` (one self-contained file, in
    /// rollback-journal mode), and says what it holds.
    public func backup(to file: String) throws -> BackupSummary {
        guard !FileManager.default.fileExists(atPath: file) else {
            throw BackupError(.fileExists, "\(file) exists already: a backup never overwrites a file; name a new one")
        }
        let directory = URL(fileURLWithPath: file).deletingLastPathComponent()
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        do {
            let destination = try DatabaseQueue(path: file)
            try pool.backup(to: destination)
            // The copied header says WAL (the source's mode); a backup is one file that needs no -wal beside it.
            try destination.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA journal_mode = DELETE") }
            let summary = try destination.read(Self.summary)
            try destination.close()
            return summary
        } catch let error as DatabaseError {
            try? FileManager.default.removeItem(atPath: file)
            throw BackupError(.toolFailed, "cannot back up \(path) to \(file): \(error.message ?? error.description)")
        }
    }

    /// Replaces the database at `path` with the backup in `file`, then gives it a new epoch so that every desktop's
    /// cursor is answered with a reset. Refuses a target that holds anything unless `force`.
    ///
    /// Stop the servers on `path` first: they would keep caches of what the restore replaces.
    /// - Returns: the restored store (its schema brought up to date) and what the backup held.
    public static func restore(from file: String, to path: String, force: Bool) async throws
        -> (store: SQLiteStore, summary: BackupSummary)
    {
        let source: DatabaseQueue
        let summary: BackupSummary
        do {
            var configuration = Configuration()
            configuration.readonly = true
            source = try DatabaseQueue(path: file, configuration: configuration)
            summary = try await source.read(Self.summary)
        } catch let error as DatabaseError {
            throw BackupError(.unreadable, "\(file) is not a backup of a CRM SQLite database: \(error.message ?? "\(error)")")
        }
        let target = try SQLiteStore(path: path)
        let held = try await target.installationCounts()
        if !held.isEmpty && !force { throw BackupError.targetNotEmpty(held, target: "sqlite:\(path)") }
        do {
            try source.backup(to: target.pool)
            try source.close()
        } catch let error as DatabaseError {
            throw BackupError(.toolFailed, "cannot restore \(file) into \(path): \(error.message ?? error.description)")
        }
        try target.pool.close()
        // Opened anew: the backup may come from an older schema, which the migrator brings up to date.
        let restored = try SQLiteStore(path: path)
        _ = try await restored.renewEpoch()
        return (restored, summary)
    }

    static func summary(_ db: Database) throws -> BackupSummary {
        guard try db.tableExists("records"), try db.tableExists("meta") else {
            throw DatabaseError(message: "it has no records or meta table")
        }
        return BackupSummary(
            records: try Int64.fetchOne(db, sql: "SELECT count(*) FROM records") ?? 0,
            lastSequence: try Int64.fetchOne(db, sql: "SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'seq'") ?? 0,
            users: try Int64.fetchOne(db, sql: "SELECT count(*) FROM users") ?? 0)
    }
}
