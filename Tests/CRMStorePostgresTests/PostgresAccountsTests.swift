import CRMStore
import CRMStorePostgres
import CRMTesting
import Foundation
import Testing

/// The accounts and attachments parts on PostgreSQL as several servers use them: two stores (two pools, as two
/// `crm-server` processes) on one database share users, sessions and login counters, and the tables hold what
/// an administrator reading them expects. What every store does is the conformance suite.
@Suite struct PostgresAccountsTests {
    /// Runs `body` with two stores open on one new database, and the database's name for `psql`.
    func withTwoServers(_ body: (PostgresStore, PostgresStore, String) async throws -> Void) async throws {
        let server = try await PostgresServer.shared()
        let url = try await server.database()
        defer { server.drop(url) }
        var configuration = try PostgresConfiguration.test(url)
        configuration.maxConnections = 4
        let first = try await PostgresStore.open(configuration)
        defer { first.close() }
        let second = try await PostgresStore.open(configuration)
        defer { second.close() }
        try await body(first, second, String(url.split(separator: "/").last!))
    }

    @Test func twoServersShareUsersSessionsAndLoginCounters() async throws {
        try await withTwoServers { first, second, _ in
            // One name added on both at once: one user, and the other server is told it exists.
            let added = await withTaskGroup(of: Bool.self) { group in
                for (store, role) in [(first, "sales-rep"), (second, "admin")] {
                    group.addTask {
                        do {
                            try await store.addUser(AccountsFixture.user("alice", role: role))
                            return true
                        } catch {
                            #expect(error as? StoreError == .alreadyExists("alice"))
                            return false
                        }
                    }
                }
                return await group.reduce(into: []) { $0.append($1) }
            }
            #expect(added.filter { $0 }.count == 1)
            let role = try #require(try await first.user(named: "alice")?.role)
            #expect(try await second.user(named: "alice")?.role == role)

            // A session opened on one is found on the other, and disabling the user on the other ends it.
            try await first.createSession(AccountsFixture.session("token", "alice"))
            #expect(try await second.session(tokenHash: "token") == AccountsFixture.session("token", "alice"))
            _ = try await second.updateUser(named: "alice") { $0.enabled = false }
            #expect(try await first.session(tokenHash: "token") == nil)

            // Failed logins spread over both servers at once meet one count.
            let policy = ThrottlePolicy(maxFailures: 10, window: 600, lock: 30, maxLock: 60)
            let locks = try await withThrowingTaskGroup(of: Date?.self) { group in
                for attempt in 0..<10 {
                    let store = attempt.isMultiple(of: 2) ? first : second
                    group.addTask {
                        try await store.recordFailure(
                            keys: ["user:alice", "addr:192.0.2.7"], now: AccountsFixture.time(0), policy: policy)
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(locks.compactMap { $0 } == [AccountsFixture.time(30)])
            #expect(try await first.lockedUntil(keys: ["addr:192.0.2.7"], now: AccountsFixture.time(1)) != nil)
        }
    }

    @Test func timesAreTimestampsToTheMillisecond() async throws {
        try await withTwoServers { store, _, database in
            var user = AccountsFixture.user("alice")
            user.createdAt = Date(timeIntervalSince1970: 1_750_000_000.123)
            try await store.addUser(user)
            let server = try await PostgresServer.shared()
            let shown = try server.psql(
                "SELECT to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') FROM users",
                database: database)
            #expect(shown.trimmingCharacters(in: .whitespacesAndNewlines) == "2025-06-15 15:06:40.123000")
        }
    }

    @Test func contentIsStoredOnceInRowsOfAtMostAChunkAndUploadRowsGo() async throws {
        try await withTwoServers { first, second, database in
            let data = AttachmentStoreConformance.content(700_000)
            async let alice = AttachmentStoreConformance.upload(first, data, user: "alice", piece: 700_000)
            async let bob = AttachmentStoreConformance.upload(second, data, user: "bob", piece: 250_000)
            _ = try await [alice, bob]
            let server = try await PostgresServer.shared()
            func scalar(_ sql: String) throws -> String {
                try server.psql(sql, database: database).trimmingCharacters(in: .whitespacesAndNewlines)
            }
            #expect(try scalar("SELECT count(*) FROM attachments") == "1")
            #expect(try scalar("SELECT sum(size) FROM attachment_chunks") == "700000")
            #expect(try scalar("SELECT sum(length(data)) FROM attachment_chunks") == "700000")
            #expect(try scalar("SELECT max(size) FROM attachment_chunks") == "\(StoredAttachment.chunkSize)")
            #expect(try scalar("SELECT count(*) FROM attachment_uploads") == "0")
            #expect(try scalar("SELECT count(*) FROM attachment_upload_chunks") == "0")
        }
    }
}
