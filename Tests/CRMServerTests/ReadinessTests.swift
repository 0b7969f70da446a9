import CRMServer
import CRMStorePostgres
import CRMTesting
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import GRDB
import Testing

/// `GET /readyz`: ready only while the database answers and has this server's schema; `/healthz` is liveness.
@Suite("Readiness", .serialized)
struct ReadinessTests {
    @Test func readinessFailsWhileThePostgresDatabaseIsGoneAndRecovers() async throws {
        let cluster = try await PostgresServer.start()
        defer { cluster.stop() }
        let store = try await PostgresStore.open(try PostgresConfiguration.test(try await cluster.database()))
        try await TestServer.make(store: store).run { api in
            let ready = try await api.send(.get, "/readyz")
            #expect(ready.status == .ok, "\(ready.text)")
            #expect(ready.json["status"] as? String == "ready")

            let before = try await MetricsScrape.scrape(api)
            #expect(before.value(ServerMetrics.Name.poolSize) == Double(store.configuration.maxConnections))
            #expect(before.value(ServerMetrics.Name.poolConnections, ["state": "waiting"]) == 0)

            store.leaseTimeout = .seconds(3)
            cluster.pause()
            let gone = try await api.send(.get, "/readyz")
            #expect(gone.status == .serviceUnavailable, "\(gone.text)")
            #expect(gone.json["status"] as? String == "unavailable")
            #expect((gone.json["reason"] as? String)?.contains("database") == true, "\(gone.text)")
            // Later checks wait for a connection the pool cannot make (the first may meet a dead idle one and fail
            // at once): the pool metrics show them waiting.
            let (pool, waiting) = (ServerMetrics.Name.poolConnections, ["state": "waiting"])
            var sawWaiting = false
            for _ in 0..<10 where !sawWaiting {
                // On a connection of its own: the test client sends one request at a time.
                let address = api.baseURL.appendingPathComponent("readyz")
                let checking = Task { try await URLSession.shared.data(from: address).1 as? HTTPURLResponse }
                for _ in 0..<10 where !sawWaiting {
                    try await Task.sleep(for: .milliseconds(100))
                    sawWaiting = try await MetricsScrape.scrape(api).value(pool, waiting) >= 1
                }
                #expect(try await checking.value?.statusCode == 503)
            }
            #expect(sawWaiting)

            try await cluster.resume()
            var back = try await api.send(.get, "/readyz")
            for _ in 0..<50 where back.status != .ok {
                try await Task.sleep(for: .milliseconds(200))
                back = try await api.send(.get, "/readyz")
            }
            #expect(back.status == .ok, "\(back.text)")
        }
    }

    @Test func readinessFailsWhileTheSchemaLacksAMigration() async throws {
        let server = try await TestServer.make(kind: .sqlite)
        let pool = try server.sqlitePool
        try await server.run { api in
            #expect(try await api.send(.get, "/readyz").status == .ok)
            let last = try await pool.write { db in
                let name = try String.fetchOne(db, sql: "SELECT identifier FROM grdb_migrations ORDER BY rowid DESC")
                try db.execute(sql: "DELETE FROM grdb_migrations WHERE identifier = ?", arguments: [name])
                return name
            }
            let older = try await api.send(.get, "/readyz")
            #expect(older.status == .serviceUnavailable, "\(older.text)")
            #expect((older.json["reason"] as? String)?.contains("crm-server migrate") == true, "\(older.text)")
            // Liveness is another question: the process and its database answer.
            #expect(try await api.send(.get, "/healthz").status == .ok)

            try await pool.write { db in
                try db.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES (?)", arguments: [last])
                try db.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('v99-from-a-newer-server')")
            }
            let newer = try await api.send(.get, "/readyz")
            #expect(newer.status == .serviceUnavailable, "\(newer.text)")
            #expect((newer.json["reason"] as? String)?.contains("newer") == true, "\(newer.text)")
        }
    }
}
