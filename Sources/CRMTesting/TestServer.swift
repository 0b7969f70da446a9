import CRMModel
import CRMServer
import CRMStore
import CRMStorePostgres
import CRMStoreSQLite
import CRMWeb
import Foundation
import GRDB
import Hummingbird
import HummingbirdTesting
import Logging

/// A CRM server on a real store, served over loopback HTTP for the length of a test, with the default package
/// published and a small team of users: a SQLite file in a temporary folder, or, with
/// `CRM_TEST_STORE=postgres`, a fresh database on the test PostgreSQL cluster (`scripts/test.sh` runs the server
/// and desktop suites both ways).
public struct TestServer: Sendable {
    /// Which store the test server runs on.
    public enum Kind: String, Sendable {
        case sqlite, postgres

        /// `CRM_TEST_STORE` (`sqlite`, the default, or `postgres`).
        public static var current: Kind {
            ProcessInfo.processInfo.environment["CRM_TEST_STORE"].flatMap(Kind.init(rawValue:)) ?? .sqlite
        }
    }

    /// The password of every test user.
    public static let password = "correct horse battery"

    /// The test team: a sales manager over two reps (one of them managing a third), a peer outside the
    /// hierarchy, a service agent and an admin.
    public static let users: [(name: String, role: String, manager: String?)] = [
        ("maria", "sales-manager", nil),
        ("rita", "sales-rep", "maria"),
        ("tom", "sales-manager", "maria"),
        ("tess", "sales-rep", "tom"),
        ("peter", "sales-rep", nil),
        ("sam", "service-agent", nil),
        ("ada", "admin", nil),
    ]

    public let store: any ServerStore
    public let kind: Kind
    public let directory: TemporaryDirectory
    public let configuration: ServerConfiguration
    /// The PostgreSQL database to drop when the server is done.
    private let database: String?

    /// The SQLite store's pool, for the tests that look into its file (they run on SQLite only).
    public var sqlitePool: DatabasePool {
        get throws {
            guard let sqlite = store as? SQLiteStore else {
                throw PostgresServer.StartError(description: "this test looks into a SQLite file; run it with CRM_TEST_STORE=sqlite")
            }
            return sqlite.pool
        }
    }

    /// The store's whole-installation view (both stores implement it): what tests read stored rows through
    /// (sessions, refresh tokens) on either store.
    public var transfer: any InstallationTransfer {
        get throws {
            guard let transfer = store as? any InstallationTransfer else {
                throw PostgresServer.StartError(description: "the test store does not implement InstallationTransfer")
            }
            return transfer
        }
    }

    /// What `crm-server --database` takes to reach this server's store.
    public var databaseArgument: String { database ?? "sqlite:" + directory.path("crm.sqlite") }

    /// Creates the database, publishes the default package and adds the test users (bcrypt cost 4).
    public static func make(
        configuration: ServerConfiguration = ServerConfiguration(bcryptCost: 4), kind: Kind = .current
    ) async throws -> TestServer {
        let directory = try TemporaryDirectory()
        let (store, database) = try await open(kind, directory: directory)
        try await populate(store)
        return TestServer(
            store: store, kind: kind, directory: directory, configuration: configuration, database: database)
    }

    /// A test server on a store the test opened itself (it closes it), with the package and the users added.
    public static func make(store: any ServerStore, configuration: ServerConfiguration = ServerConfiguration(bcryptCost: 4))
        async throws -> TestServer
    {
        try await populate(store)
        return TestServer(
            store: store, kind: store is SQLiteStore ? .sqlite : .postgres, directory: try TemporaryDirectory(),
            configuration: configuration, database: nil)
    }

    private static func populate(_ store: any ServerStore) async throws {
        try await PackageService(store: store).publish(yaml: DefaultPackage.yaml(), file: "default.yaml")
        let hash = try await PasswordHasher(cost: 4).hash(password)
        for user in users {
            try await store.addUser(
                User(name: user.name, passwordHash: hash, role: user.role, manager: user.manager,
                    emails: ["\(user.name)@example.com"]))
        }
    }

    private static func open(_ kind: Kind, directory: TemporaryDirectory) async throws -> (any ServerStore, String?) {
        switch kind {
        case .sqlite:
            return (try SQLiteStore(path: directory.path("crm.sqlite")), nil)
        case .postgres:
            let server = try await PostgresServer.shared()
            let url = try await server.database()
            return (try await PostgresStore.open(try PostgresConfiguration.test(url)), url)
        }
    }

    /// Closes the store and removes its file or database.
    public func remove() async {
        (store as? PostgresStore)?.close()
        if let database { try? await PostgresServer.shared().drop(database) }
        directory.remove()
    }

    /// Serves the API on a loopback port while `body` runs; `testing` chooses the test client (`.ahc(.https)`
    /// for a server with a certificate: that client does not check it); `logger` receives the server's log
    /// (default: critical messages only, to standard error); `web` adds the web UI's pages (CRMWeb).
    public func run<Value: Sendable>(
        testing: TestingSetup = .live, logger: Logger? = nil, web: Bool = false,
        _ body: @Sendable (TestAPI) async throws -> Value
    ) async throws -> Value {
        let logger =
            logger
            ?? {
                var quiet = Logger(label: "crm-test-server")
                quiet.logLevel = .critical
                return quiet
            }()
        let app = try CRMApplication.make(
            store: store, configuration: configuration, logger: logger, additions: web ? [try WebUI().addition] : [])
        do {
            let value = try await app.test(testing) { client in
                try await body(TestAPI(client: client))
            }
            await remove()
            return value
        } catch {
            await remove()
            throw error
        }
    }
}
