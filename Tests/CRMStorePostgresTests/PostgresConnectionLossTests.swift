import CRMModel
import CRMStore
import CRMTesting
import Foundation
import PostgresNIO
import Synchronization
import Testing

@testable import CRMStorePostgres

/// Connections the database refuses or ends: the store says "unavailable" with why, the pool and the listener
/// come back by themselves, and waiters hear that they must look again.
@Suite struct PostgresConnectionLossTests {
    @Test func aConnectionRefusedForTooManyClientsIsUnavailableWithWhatToDo() async throws {
        let server = try await PostgresServer.shared()
        let url = try await server.database()
        defer { server.drop(url) }
        // A role allowed no connection at all gets what a full server answers: SQLSTATE 53300.
        let role = "crm_full_\(UInt32.random(in: 0...UInt32.max))"
        try server.psql("CREATE ROLE \(role) LOGIN CONNECTION LIMIT 0")
        defer { _ = try? server.psql("DROP ROLE IF EXISTS \(role)") }
        var configuration = try PostgresConfiguration.test(url)
        configuration.user = role
        let thrown = await #expect(throws: (any Error).self) {
            let connection = try await PostgresConnection.connect(
                configuration: PostgresStore.listenerConfiguration(configuration), id: 1,
                logger: Logger(label: "test"))
            try await connection.close()
        }
        let error = try #require(thrown.map(PostgresStore.storeError))
        guard case .unavailable(let message) = error as? StoreError else {
            Issue.record("53300 should be unavailable, is \(error)")
            return
        }
        #expect(message.contains("no connection to spare"), "\(message)")
        #expect(message.contains("53300"), "\(message)")
    }

    @Test func aQueryWhoseConnectionAnAdministratorEndsIsUnavailableAndThePoolRecovers() async throws {
        let server = try await PostgresServer.shared()
        let url = try await server.database()
        defer { server.drop(url) }
        let store = try await PostgresStore.open(try PostgresConfiguration.test(url))
        defer { store.close() }
        let database = try #require(url.split(separator: "/").last)
        let sleeping = Task { try await store.execute("SELECT pg_sleep(600)") }
        // The statement shows in pg_stat_activity once it runs (polled: the database tells no one).
        var ended = ""
        for _ in 0..<600 where ended != "t" {
            ended = try server.psql(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '\(database)' "
                    + "AND query LIKE 'SELECT pg_sleep(600)%'"
            ).trimmingCharacters(in: .whitespacesAndNewlines)
            if ended != "t" { try await Task.sleep(for: .milliseconds(100)) }
        }
        #expect(ended == "t")
        let result = await sleeping.result
        guard case .failure(let error) = result, case .unavailable(let message) = error as? StoreError else {
            Issue.record("an ended connection should fail as unavailable: \(result)")
            return
        }
        #expect(message.contains("57P01") || message.contains("connection was lost"), "\(message)")
        // The pool opens a new connection by itself (a statement may still meet the dead one once).
        var answered = false
        for _ in 0..<50 where !answered {
            answered = (try? await store.execute("SELECT 1"))?.count == 1
        }
        #expect(answered)
    }

    @Test func theListenerComesBackAfterItsConnectionIsEndedAndTellsEveryoneToLookAgain() async throws {
        let server = try await PostgresServer.shared()
        let url = try await server.database()
        defer { server.drop(url) }
        let writer = try await PostgresStore.open(try PostgresConfiguration.test(url))
        let listener = try await PostgresStore.open(try PostgresConfiguration.test(url))
        defer { writer.close(); listener.close() }
        let heard = Heard(listener)
        defer { heard.stop() }
        try await heard.untilListening(writer)

        // End the listening connection, found by its application name, and write meanwhile.
        let database = try #require(url.split(separator: "/").last)
        let ended = try server.psql(
            "SELECT count(pg_terminate_backend(pid, 60000)) FROM pg_stat_activity WHERE datname = '\(database)' "
                + "AND application_name = '\(PostgresStore.listenerApplicationName)'")
        #expect(ended.trimmingCharacters(in: .whitespacesAndNewlines) == "1")
        let before = heard.count
        try await writer.push { tx in
            _ = try tx.insert(RecordFixture.record("Account", owner: "rita", ["name": "Written while deaf"]))
            return try tx.announceAtCommit(users: ["rita"])
        }
        // Whether that notification was lost or not, the listener says "everyone" once it listens again.
        try await heard.until { $0.dropFirst(before).contains { $0 == nil } }
        #expect(heard.all.dropFirst(before).contains { $0 == nil })
        // And it hears the next notification.
        try await heard.untilListening(writer, users: ["maria"])
    }

    @Test func aPushNotifiesAtItsCommitAndARolledBackPushNotifiesNothing() async throws {
        let server = try await PostgresServer.shared()
        let url = try await server.database()
        defer { server.drop(url) }
        let writer = try await PostgresStore.open(try PostgresConfiguration.test(url))
        let listener = try await PostgresStore.open(try PostgresConfiguration.test(url))
        defer { writer.close(); listener.close() }
        let heard = Heard(listener)
        defer { heard.stop() }
        try await heard.untilListening(writer)
        let before = heard.count

        struct Refused: Error {}
        await #expect(throws: Refused.self) {
            try await writer.push { tx in
                _ = try tx.insert(RecordFixture.record("Account", owner: "ghost", ["name": "Rolled back"]))
                _ = try tx.announceAtCommit(users: ["ghost"])
                throw Refused()
            }
        }
        let announced = try await writer.push { tx in
            _ = try tx.insert(RecordFixture.record("Account", owner: "rita", ["name": "Committed"]))
            return try tx.announceAtCommit(users: ["rita", "maria"])
        }
        #expect(announced)
        // Notifications arrive in commit order: the rolled-back push's would come first.
        try await heard.until { $0.count > before }
        #expect(heard.all.dropFirst(before).first == ["rita", "maria"])
    }
}

/// What a store's `broadcasts()` yielded so far.
private final class Heard: Sendable {
    private final class Items: Sendable {
        let list = Mutex<[Set<String>?]>([])
    }

    private let items = Items()
    private let task: Task<Void, Never>

    init(_ store: PostgresStore) {
        let items = self.items
        task = Task {
            for await users in store.broadcasts() { items.list.withLock { $0.append(users) } }
        }
    }

    var all: [Set<String>?] { items.list.withLock { $0 } }
    var count: Int { all.count }

    func stop() { task.cancel() }

    /// Waits (at most a minute) until what was heard meets `condition`.
    func until(_ condition: ([Set<String>?]) -> Bool) async throws {
        for _ in 0..<600 where !condition(all) { try await Task.sleep(for: .milliseconds(100)) }
    }

    /// Broadcasts `users` until a broadcast is heard: the LISTEN is then in place.
    func untilListening(_ writer: PostgresStore, users: Set<String> = ["probe"]) async throws {
        let before = count
        for _ in 0..<600 where !all.dropFirst(before).contains(users) {
            try await writer.broadcast(users: users)
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(all.dropFirst(before).contains(users), "the listener never heard \(users)")
    }
}
