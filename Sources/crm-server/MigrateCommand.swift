import ArgumentParser
import CRMStorePostgres

/// `crm-server migrate`: brings the database schema up to date and says which migrations it applied.
struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "migrate", abstract: "Create or update the database schema.")
    @OptionGroup var store: StoreOptions

    func run() async throws {
        switch try store.location() {
        case .sqlite:
            // Opening a SQLite store migrates it.
            _ = try await store.open()
            print("database schema is up to date: \(store.database)")
        case .postgres(var configuration):
            configuration.leaseTimeout = .seconds(30)
            let applied = try await store.namingThePasswordSetting { try await PostgresStore.migrate(configuration) }
            for name in applied { print("applied \(name)") }
            print(
                applied.isEmpty
                    ? "database schema was already up to date: \(configuration.description)"
                    : "database schema is up to date (\(applied.count) migrations applied): \(configuration.description)")
        }
    }
}
