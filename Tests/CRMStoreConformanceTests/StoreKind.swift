import CRMStore
import CRMStorePostgres
import CRMStoreSQLite
import CRMTesting
import Foundation
import Testing

/// The stores the conformance suite runs on: every test of it runs once on each.
enum StoreKind: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case sqlite, postgres

    var testDescription: String { rawValue }

    /// A store that does not implement the protocols a test needs.
    struct Missing: Error, CustomStringConvertible {
        var description: String
    }

    /// Runs `body` on a new, empty store of this kind (a fresh SQLite file, or a fresh PostgreSQL database on
    /// the test cluster), removed afterwards. `Store` names the store protocols the test uses, such as
    /// `(any UserStore & DeviceStore).self`.
    func run<Store, T: Sendable>(_ type: Store.Type, _ body: (Store) async throws -> T) async throws -> T {
        switch self {
        case .sqlite:
            let directory = try TemporaryDirectory(prefix: "crm-conformance")
            defer { directory.remove() }
            return try await body(try cast(try SQLiteStore(path: directory.path("crm.sqlite"))))
        case .postgres:
            let server = try await PostgresServer.shared()
            let url = try await server.database()
            defer { server.drop(url) }
            let store = try await PostgresStore.open(try PostgresConfiguration.test(url))
            defer { store.close() }
            return try await body(try cast(store))
        }
    }

    private func cast<Store>(_ store: Any) throws -> Store {
        guard let typed = store as? Store else { throw Missing(description: "the \(rawValue) store is not a \(Store.self)") }
        return typed
    }
}
