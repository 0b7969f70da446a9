import ArgumentParser
import CRMStore
import CRMStorePostgres
import CRMStoreSQLite

/// `crm-server backup --to FILE`: a consistent online backup while servers run and write.
struct BackupCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup",
        abstract: "Write a consistent backup of the database to a new file, while servers keep running.",
        discussion: """
            SQLite: SQLite's online backup (one file, itself a SQLite database). PostgreSQL: pg_dump's custom \
            format (needs PostgreSQL's client tools). Restore it with `crm-server restore --from FILE`.
            """)

    @OptionGroup var store: StoreOptions
    @Option(help: ArgumentHelp("The backup file to write (it must not exist).", valueName: "FILE")) var to: String

    func run() async throws {
        switch try store.location() {
        case .sqlite(let path):
            let database = try SQLiteStore(path: path)
            let summary = try database.backup(to: to)
            print("backed up \(summary.records) records, \(summary.users) users (last change \(summary.lastSequence)) to \(to)")
        case .postgres(let configuration):
            try await store.namingThePasswordSetting { try await PostgresBackup.backup(configuration, to: to) }
            print("backed up \(store.database) to \(to) (pg_dump custom format)")
        }
    }
}

/// `crm-server restore --from FILE [--force]`: the backup into a database, under a new store epoch.
struct RestoreCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restore",
        abstract: "Restore a backup into the database; desktops then rebuild their replicas, keeping unsent edits.",
        discussion: """
            Stop the servers on the database first. A database that holds anything is refused unless --force. \
            The restored database gets a new epoch: every desktop's next sync is answered "reset", and it \
            rebuilds its replica from the restored data, keeping (and then sending) the edits it had not sent.
            """)

    @OptionGroup var store: StoreOptions
    @Option(help: ArgumentHelp("The backup file (from crm-server backup).", valueName: "FILE")) var from: String
    @Flag(help: "Replace what the database holds.") var force = false

    func run() async throws {
        let meta: SyncMeta
        switch try store.location() {
        case .sqlite(let path):
            let (restored, summary) = try await SQLiteStore.restore(from: from, to: path, force: force)
            meta = try await restored.syncMeta()
            print("restored \(summary.records) records, \(summary.users) users (last change \(summary.lastSequence))")
        case .postgres(let configuration):
            let restored = try await store.namingThePasswordSetting {
                try await PostgresBackup.restore(from: from, to: configuration, force: force)
            }
            defer { restored.close() }
            meta = try await restored.syncMeta()
            let counts = try await restored.installationCounts()
            print("restored \(counts[.records]) records, \(counts[.users]) users")
        }
        print("new epoch \(meta.epoch): every desktop rebuilds its replica at its next sync, keeping its unsent edits")
    }
}
