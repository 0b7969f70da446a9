import CRMStore
import CRMStorePostgres
import CRMTesting
import Foundation
import Testing

/// Server processes on one database hear each other's changes through LISTEN/NOTIFY.
@Suite struct PostgresBroadcastTests {
    @Test func aBroadcastFromOneStoreIsHeardByAnotherWithItsUsers() async throws {
        let server = try await PostgresServer.shared()
        let url = try server.database()
        defer { server.drop(url) }
        let writer = try await PostgresStore.open(try PostgresConfiguration.test(url))
        let listener = try await PostgresStore.open(try PostgresConfiguration.test(url))
        defer { writer.close(); listener.close() }
        let heard = Task { () -> [Set<String>?] in
            var seen: [Set<String>?] = []
            for await users in listener.broadcasts() {
                seen.append(users)
                if seen.count == 2 { break }
            }
            return seen
        }
        // The listener's LISTEN is in place once a broadcast sent after it arrives; keep sending until one does.
        var sent = 0
        while sent < 200 {
            try await writer.broadcast(users: ["rita", "maria"])
            sent += 1
            try await Task.sleep(for: .milliseconds(20))
            if heard.isCancelled { break }
            if sent == 50 { break }
        }
        try await writer.broadcast(users: nil)
        let seen = await heard.value
        #expect(seen.first == ["rita", "maria"])
        #expect(seen.count == 2)
    }
}
