import CRMModel
import CRMServer
import CRMStorePostgres
import CRMSyncProtocol
import CRMTesting
import Foundation
import Testing

/// PostgreSQL restarting under a running server: requests during the outage fail with 503 and a clear error,
/// the server reconnects by itself, and no write is half-applied.
@Suite("Database restart", .serialized)
struct DatabaseRestartTests {
    @Test func requestsDuringAnOutageGet503AndTheServerReconnectsWithNothingHalfWritten() async throws {
        let cluster = try await PostgresServer.start()
        defer { cluster.stop() }
        let url = try await cluster.database()
        let store = try await PostgresStore.open(try PostgresConfiguration.test(url))
        // Long-polls rely on the store's notifications alone: their own re-check is out of reach.
        var configuration = ServerConfiguration(bcryptCost: 4)
        configuration.sync.waitRecheck = 120
        let server = try await TestServer.make(store: store, configuration: configuration)
        try await server.run { api in
            let token = try await api.login("rita")
            var desktop = try await TestDesktop.connect(api, "rita")
            try await desktop.begin()
            try await desktop.pullAll()
            _ = try await api.create("Account", ["name": "Before the outage"], token: token)

            // During the outage a request waits a short while for a connection, then gets 503.
            store.leaseTimeout = .seconds(3)
            cluster.pause()
            let during = try await api.send(.get, "/api/v1/records/Account", token: token)
            #expect(during.status == .serviceUnavailable, "\(during.text)")
            #expect(during.errorCode == "unavailable", "\(during.text)")
            #expect(during.text.contains("database"), "\(during.text)")
            // A push during the outage is refused whole: the desktop keeps its ops and sends them again.
            let op = SyncOp(
                opId: RecordID.make(), kind: .create, type: "Account", id: RecordID.make(),
                fields: ["name": "Pushed during the outage"], editedAt: Date(), packageVersion: 1)
            let push = try await api.send(
                .post, "/api/v1/sync/push", token: token, json: SyncPushRequest(session: desktop.session ?? "", ops: [op]))
            #expect(push.status == .serviceUnavailable, "\(push.text)")

            try await cluster.resume()
            store.leaseTimeout = .seconds(60)
            // The pool reconnects by itself; the first requests may still find a dead connection.
            var after = try await api.send(.get, "/api/v1/records/Account", token: token)
            for _ in 0..<50 where after.status != .ok {
                try await Task.sleep(for: .milliseconds(200))
                after = try await api.send(.get, "/api/v1/records/Account", token: token)
            }
            #expect(after.status == .ok, "\(after.text)")
            let again = try await api.send(
                .post, "/api/v1/sync/push", token: token, json: SyncPushRequest(session: desktop.session ?? "", ops: [op]))
            #expect(again.status == .ok, "\(again.text)")
            let names = try await api.send(.get, "/api/v1/records/Account", token: token).decode(RecordList.self)
                .records.compactMap { $0.fields["name"]?.stringValue }.sorted()
            #expect(names == ["Before the outage", "Pushed during the outage"])

            // The listening connection came back by itself: a long-poll is woken by the next write.
            try await desktop.pullAll()
            let port = try #require(api.client.port)
            let waiter = desktop
            let waiting = Task { try await SyncWaitAndLogTests.waitOnItsOwnConnection(port: port, waiter, timeout: 60) }
            try await Task.sleep(for: .milliseconds(300))
            _ = try await api.create("Account", ["name": "After the outage"], token: token)
            let clock = ContinuousClock()
            let written = clock.now
            let answer = try await waiting.value
            #expect(answer.changed)
            #expect(clock.now - written < .seconds(30))
        }
    }
}
