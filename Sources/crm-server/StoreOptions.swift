import ArgumentParser
import CRMModel
import CRMServer
import CRMStore
import CRMStoreSQLite
import Foundation

/// `--database`, shared by every command.
struct StoreOptions: ParsableArguments {
    @Option(help: "The database: sqlite:PATH (default sqlite:./crm-data/crm.sqlite).")
    var database: String = "sqlite:./crm-data/crm.sqlite"

    func validate() throws {
        _ = try location()
    }

    func location() throws -> String {
        if database.hasPrefix("sqlite:") {
            let path = String(database.dropFirst("sqlite:".count))
            guard !path.isEmpty else { throw ValidationError("--database sqlite:PATH needs a path") }
            return path
        }
        if database.hasPrefix("postgres://") || database.hasPrefix("postgresql://") {
            throw ValidationError("PostgreSQL is not part of this build yet; use --database sqlite:PATH")
        }
        throw ValidationError("--database must be sqlite:PATH (got '\(database)')")
    }

    /// Opens the store; bulk loads pass a larger page cache.
    func open(cacheKiB: Int = SQLiteConfiguration().cacheKiB) throws -> any ServerStore {
        try SQLiteStore(path: location(), configuration: SQLiteConfiguration(cacheKiB: cacheKiB))
    }

    /// Publishes the bundled default package when none is published, so a new database works at once.
    func ensurePackage(_ store: any ServerStore) async throws -> Bool {
        guard try await store.latestPackageVersion() == nil else { return false }
        try await PackageService(store: store).publish(yaml: DefaultPackage.yaml(), file: "default.yaml")
        return true
    }
}

/// `crm-server migrate`: brings the database schema up to date (opening a store migrates it).
struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "migrate", abstract: "Create or update the database schema.")
    @OptionGroup var store: StoreOptions

    func run() async throws {
        _ = try store.open()
        print("database schema is up to date: \(store.database)")
    }
}
