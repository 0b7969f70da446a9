import CRMStore
import CRMStorePostgres
import CRMStoreSQLite
import Foundation

/// A database for tests that run `crm-server` processes on it, on the store `CRM_TEST_STORE` names
/// (`TestServer.Kind.current`): a SQLite file in the test's folder, or a fresh database on the test PostgreSQL
/// cluster. `scripts/test.sh` runs the command suites both ways.
public struct TestDatabase: Sendable {
    public let kind: TestServer.Kind
    /// What `crm-server --database` takes.
    public let argument: String
    /// The cluster holding the PostgreSQL database.
    private let cluster: PostgresServer?

    /// A new, empty database (the SQLite file goes into `directory`).
    public static func make(in directory: TemporaryDirectory, kind: TestServer.Kind = .current) async throws
        -> TestDatabase
    {
        switch kind {
        case .sqlite:
            return TestDatabase(kind: kind, argument: "sqlite:" + directory.path("crm.sqlite"), cluster: nil)
        case .postgres:
            let cluster = try await PostgresServer.shared()
            return TestDatabase(kind: kind, argument: try await cluster.database(), cluster: cluster)
        }
    }

    /// Opens the store (to read back what commands wrote, without migrating a PostgreSQL database unless
    /// `migrate`; a SQLite file is always brought up to date); call `close(_:)` after.
    public func open(migrate: Bool = false) async throws -> any ServerStore {
        switch kind {
        case .sqlite: return try SQLiteStore(path: String(argument.dropFirst("sqlite:".count)))
        case .postgres: return try await PostgresStore.open(try PostgresConfiguration.test(argument), migrate: migrate)
        }
    }

    /// Closes a store `open()` gave.
    public func close(_ store: any ServerStore) {
        (store as? PostgresStore)?.close()
    }

    /// Drops the PostgreSQL database (the SQLite file goes with its folder).
    public func remove() {
        cluster?.drop(argument)
    }
}
