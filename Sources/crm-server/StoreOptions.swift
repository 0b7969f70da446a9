import ArgumentParser
import CRMModel
import CRMServer
import CRMStore
import CRMStorePostgres
import CRMStoreSQLite
import Foundation

/// `--database`, shared by every command.
struct StoreOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "The database: sqlite:PATH (default sqlite:./crm-data/crm.sqlite) or postgres://USER@HOST:PORT/DATABASE "
                + "(its password from $CRM_DATABASE_PASSWORD or --database-password-file, never in the address).",
            valueName: "DATABASE"))
    var database: String = "sqlite:./crm-data/crm.sqlite"
    @Option(help: ArgumentHelp("A file whose first line is the PostgreSQL password.", valueName: "FILE"))
    var databasePasswordFile: String?
    @Option(help: "The most PostgreSQL connections this process opens.") var databasePool = 20

    /// Where the store is.
    enum Location {
        case sqlite(String)
        case postgres(PostgresConfiguration)
    }

    func validate() throws {
        _ = try location()
        guard databasePool >= 1 else { throw ValidationError("--database-pool is at least 1") }
    }

    func location() throws -> Location {
        if database.hasPrefix("sqlite:") {
            let path = String(database.dropFirst("sqlite:".count))
            guard !path.isEmpty else { throw ValidationError("--database sqlite:PATH needs a path") }
            return .sqlite(path)
        }
        if database.hasPrefix("postgres://") || database.hasPrefix("postgresql://") {
            do {
                return .postgres(try PostgresConfiguration(url: database, password: try password(), maxConnections: databasePool))
            } catch let error as PostgresConfigurationError {
                throw ValidationError("--database: \(error.description)")
            }
        }
        throw ValidationError("--database must be sqlite:PATH or postgres://USER@HOST:PORT/DATABASE (got '\(database)')")
    }

    /// The setting the PostgreSQL password came from, for messages (never the password itself).
    var passwordSetting: String {
        if let databasePasswordFile { return "--database-password-file \(databasePasswordFile)" }
        return environmentPassword == nil ? "CRM_DATABASE_PASSWORD or --database-password-file" : "CRM_DATABASE_PASSWORD"
    }

    private var environmentPassword: String? {
        ProcessInfo.processInfo.environment["CRM_DATABASE_PASSWORD"].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// The PostgreSQL password: the file's first line, else `CRM_DATABASE_PASSWORD`, else none (trust or peer).
    private func password() throws -> String? {
        if let file = databasePasswordFile {
            guard let data = FileManager.default.contents(atPath: file),
                let line = String(decoding: data, as: UTF8.self).split(whereSeparator: \.isNewline).first, !line.isEmpty
            else { throw ValidationError("--database-password-file \(file): cannot be read, or its first line is empty") }
            return String(line)
        }
        return environmentPassword
    }

    /// Opens the store, bringing its schema up to date; bulk loads pass a larger SQLite page cache.
    ///
    /// - Parameter migrate: false opens a PostgreSQL database without writing to it (its schema must be up to
    ///   date), for a source that is only read.
    /// - Parameter connectionWait: how long a PostgreSQL request waits for a connection before it fails as
    ///   unavailable: short for `serve` (a 503 the client retries beats a hung request), longer for a command a
    ///   person runs once.
    func open(
        cacheKiB: Int = SQLiteConfiguration().cacheKiB, migrate: Bool = true, connectionWait: Duration = .seconds(30)
    ) async throws -> any ServerStore {
        switch try location() {
        case .sqlite(let path):
            return try SQLiteStore(path: path, configuration: SQLiteConfiguration(cacheKiB: cacheKiB))
        case .postgres(var configuration):
            configuration.leaseTimeout = connectionWait
            return try await namingThePasswordSetting { try await PostgresStore.open(configuration, migrate: migrate) }
        }
    }

    /// Runs `body`, turning a refused password into an error that names the setting it came from.
    func namingThePasswordSetting<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as PostgresAuthenticationError {
            throw ValidationError("\(passwordSetting): \(error.description)")
        }
    }

    /// Publishes the bundled default package when none is published, so a new database works at once.
    func ensurePackage(_ store: any ServerStore) async throws -> Bool {
        guard try await store.latestPackageVersion() == nil else { return false }
        try await PackageService(store: store).publish(yaml: DefaultPackage.yaml(), file: "default.yaml")
        return true
    }
}
