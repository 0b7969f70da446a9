import CRMStore
import CRMStorePostgres
import CRMTesting
import Foundation
import Synchronization
import Testing

/// Server processes on one database hear each other's changes through LISTEN/NOTIFY.
@Suite struct PostgresBroadcastTests {
    @Test func aBroadcastFromOneStoreIsHeardByAnotherWithItsUsers() async throws {
        let server = try await PostgresServer.shared()
        let url = try await server.database()
        defer { server.drop(url) }
        let writer = try await PostgresStore.open(try PostgresConfiguration.test(url))
        let listener = try await PostgresStore.open(try PostgresConfiguration.test(url))
        defer { writer.close(); listener.close() }
        let heard = Mutex<[Set<String>?]>([])
        let listening = Task {
            for await users in listener.broadcasts() {
                heard.withLock { $0.append(users) }
            }
        }
        defer { listening.cancel() }
        // The LISTEN is in place once a broadcast sent after it arrives: send until one does (at most a minute).
        for _ in 0..<600 where heard.withLock({ $0.isEmpty }) {
            try await writer.broadcast(users: ["rita", "maria"])
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(heard.withLock { $0.first } == ["rita", "maria"])
        let before = heard.withLock { $0.count }
        try await writer.broadcast(users: nil)
        for _ in 0..<600 where heard.withLock({ $0.count == before }) { try await Task.sleep(for: .milliseconds(100)) }
        #expect(heard.withLock { $0.last } == .some(nil), "a broadcast to everyone arrives as nil")
    }
}
