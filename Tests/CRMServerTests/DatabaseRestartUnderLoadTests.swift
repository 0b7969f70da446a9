import CRMModel
import CRMServer
import CRMStorePostgres
import CRMSyncProtocol
import CRMTesting
import Foundation
import Synchronization
import Testing

/// PostgreSQL stopping while pushes are running: each push is all or nothing, the change feed reads every
/// committed record, and the retries of the refused pushes apply once.
@Suite("Database restart under load", .serialized)
struct DatabaseRestartUnderLoadTests {
    /// What the pushers did: pushes answered, pushes refused (their ops, to send again).
    final class Ledger: Sendable {
        let answered = Atomic<Int>(0)
        let refused = Mutex<[[SyncOp]]>([])
        let resumed = Atomic<Bool>(false)
    }

    static func batch(_ desktop: Int, _ number: Int) -> [SyncOp] {
        (0..<5).map { index in
            SyncOp(
                opId: RecordID.make(), kind: .create, type: "Account", id: RecordID.make(),
                fields: ["name": .string("d\(desktop) b\(number) op\(index)")], editedAt: Date(), packageVersion: 1)
        }
    }

    @Test func pushesRunningWhenTheDatabaseStopsAreAllOrNothingAndTheirRetriesApplyOnce() async throws {
        let cluster = try await PostgresServer.start()
        defer { cluster.stop() }
        let store = try await PostgresStore.open(try PostgresConfiguration.test(try await cluster.database()))
        defer { store.close() }
        let server = try await TestServer.make(store: store)
        try await server.run { api in
            var desktops: [TestDesktop] = []
            for index in 0..<4 {
                var desktop = try await TestDesktop.connect(api, "rita", name: "desktop-\(index)")
                try await desktop.begin()
                desktops.append(desktop)
            }
            store.leaseTimeout = .seconds(3)
            let ledger = Ledger()
            // Each desktop pushes batches one after another; a refused one waits for the database to be back.
            let pushers = desktops.enumerated().map { index, desktop in
                Task {
                    for number in 0..<8 {
                        let ops = Self.batch(index, number)
                        let reply = try await desktop.pushReply(ops)
                        if reply.status == .ok {
                            ledger.answered.add(1, ordering: .relaxed)
                        } else {
                            #expect(reply.status == .serviceUnavailable, "\(reply.text)")
                            ledger.refused.withLock { $0.append(ops) }
                            while !ledger.resumed.load(ordering: .relaxed) { try await Task.sleep(for: .milliseconds(50)) }
                        }
                    }
                }
            }
            // Stop the database (fast shutdown: running transactions are ended) while the pushes run.
            while ledger.answered.load(ordering: .relaxed) < 4 { try await Task.sleep(for: .milliseconds(10)) }
            cluster.pause()
            for _ in 0..<600 where ledger.refused.withLock({ $0.count }) < 4 {
                try await Task.sleep(for: .milliseconds(100))
            }
            try await cluster.resume()
            // The pool reconnects by itself, after a back-off that grew during the outage: requests meanwhile get
            // 503 within 10 s (not a wait past the client's timeout) and are sent again below.
            store.leaseTimeout = .seconds(10)
            ledger.resumed.store(true, ordering: .relaxed)
            for pusher in pushers { try await pusher.value }
            let refused = ledger.refused.withLock { $0 }
            #expect(!refused.isEmpty, "the outage refused no push")

            // What the feed holds: a refused push left all its records or none.
            var reader = try await TestDesktop.connect(api, "rita", name: "reader")
            for _ in 0..<300 {
                if (try? await reader.begin()) != nil { break }
                try await Task.sleep(for: .milliseconds(200))
            }
            _ = try await reader.pullAll()
            let names = { (desktop: TestDesktop) in
                desktop.records("Account").compactMap { $0.fields["name"]?.stringValue }
            }
            let before = Set(names(reader))
            for ops in refused {
                let present = ops.filter { before.contains($0.fields?["name"]?.stringValue ?? "") }.count
                #expect(present == 0 || present == ops.count, "a refused push was half applied: \(present) of 5")
            }

            // Sending the refused pushes again applies each once (or answers what was stored for them).
            for ops in refused {
                var reply = try await desktops[0].pushReply(ops)
                for _ in 0..<300 where reply.status != .ok {
                    try await Task.sleep(for: .milliseconds(200))
                    reply = try await desktops[0].pushReply(ops)
                }
                let results = try reply.decode(SyncPushResponse.self).results
                #expect(results.map(\.status) == Array(repeating: .applied, count: ops.count), "\(reply.text)")
            }

            // The feed reads every committed record, each once: 4 desktops × 8 batches × 5 ops.
            var after = try await TestDesktop.connect(api, "rita", name: "after")
            try await after.begin()
            _ = try await after.pullAll()
            let all = names(after)
            #expect(all.count == 4 * 8 * 5)
            #expect(Set(all).count == all.count, "a record was written twice")
            let listed = try await api.send(.get, "/api/v1/records/Account?limit=1000", token: after.token)
                .decode(RecordList.self).records.count
            #expect(listed == all.count, "the feed skipped committed records")
        }
    }
}
