import CRMModel
import CRMServer
import CRMStore
import CRMStoreSQLite
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging

/// A CRM server on a real SQLite file in a temporary folder, served over loopback HTTP for the length of a
/// test, with the default package published and a small team of users.
public struct TestServer: Sendable {
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

    public let store: SQLiteStore
    public let directory: TemporaryDirectory
    public let configuration: ServerConfiguration

    /// Creates the database, publishes the default package and adds the test users (bcrypt cost 4).
    public static func make(configuration: ServerConfiguration = ServerConfiguration(bcryptCost: 4)) async throws
        -> TestServer
    {
        let directory = try TemporaryDirectory()
        let store = try SQLiteStore(path: directory.path("crm.sqlite"))
        try await PackageService(store: store).publish(yaml: DefaultPackage.yaml(), file: "default.yaml")
        let hash = try await PasswordHasher(cost: 4).hash(password)
        for user in users {
            try await store.addUser(
                User(name: user.name, passwordHash: hash, role: user.role, manager: user.manager,
                    emails: ["\(user.name)@example.com"]))
        }
        return TestServer(store: store, directory: directory, configuration: configuration)
    }

    /// Serves the API on a loopback port while `body` runs.
    public func run<Value: Sendable>(_ body: @Sendable (TestAPI) async throws -> Value) async throws -> Value {
        var logger = Logger(label: "crm-test-server")
        logger.logLevel = .critical
        let app = CRMApplication.make(store: store, configuration: configuration, logger: logger)
        defer { directory.remove() }
        return try await app.test(.live) { client in
            try await body(TestAPI(client: client))
        }
    }
}
