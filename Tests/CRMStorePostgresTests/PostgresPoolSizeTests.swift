import CRMStore
@testable import CRMStorePostgres
import CRMTesting
import Foundation
import Testing

/// `--database-pool N`: one store opened with a pool of N never holds more than N connections to the database,
/// however many requests run at once (the rest wait for a connection).
@Suite struct PostgresPoolSizeTests {
    @Test func aStoreWithAPoolOfThreeOpensAtMostThreeConnectionsUnderConcurrentLoad() async throws {
        let server = try await PostgresServer.shared()
        let url = try await server.database()
        defer { server.drop(url) }
        let name = String(url.split(separator: "/").last!)
        var configuration = try PostgresConfiguration.test(url)
        configuration.maxConnections = 3
        let store = try await PostgresStore.open(configuration)
        defer { store.close() }

        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<24 { group.addTask { try await store.execute("SELECT pg_sleep(0.15)") } }
            try await group.waitForAll()
        }
        // Every connection the pool opened is still there, idle, with the load's statement as its last query.
        let opened = try server.psql(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = '\(name)' AND query LIKE '%pg_sleep(0.15)%' "
                + "AND pid <> pg_backend_pid()")
        #expect(Int(opened.trimmingCharacters(in: .whitespacesAndNewlines)) == 3, "\(opened)")
    }
}
