import CRMModel
import CRMStore
import CRMStoreSQLite
import CRMTesting
import Foundation
import GRDB
import Testing

/// The database file as processes share it: `serve` and an admin command each open their own store.
@Suite("Store files and concurrent writers")
struct StoreFileTests {
    @Test func twoStoresOnOneFileWriteConcurrentlyWithoutGapsInSequence() async throws {
        let directory = try TemporaryDirectory(prefix: "crm-sqlite")
        defer { directory.remove() }
        let path = directory.path("crm.sqlite")
        let server = try SQLiteStore(path: path)
        let adminStore = try SQLiteStore(path: path)
        let perWriter = 200

        let ids = try await withThrowingTaskGroup(of: [String].self) { group in
            for (name, store) in [("serve", server), ("admin", adminStore)] {
                group.addTask {
                    var ids: [String] = []
                    for index in 0..<perWriter {
                        let record = Fixture.record(
                            "Account", owner: name, ["name": .string(name), "employees": .number(Decimal(index))])
                        ids.append(try await store.insert(record, references: []).id)
                        // A pause between commits lets the other writer's busy handler take the lock, so the
                        // two writers interleave instead of one starving until the other is done.
                        try await Task.sleep(for: .milliseconds(1))
                    }
                    return ids
                }
            }
            var all: [String] = []
            for try await ids in group { all += ids }
            return all
        }
        #expect(ids.count == 2 * perWriter)
        let stored = try await server.records(ids: ids)
        #expect(stored.count == 2 * perWriter)
        let seqs = stored.map(\.seq).sorted()
        #expect(seqs == (1...Int64(2 * perWriter)).map { $0 })
        #expect(try await adminStore.lastSequence() == Int64(2 * perWriter))
        #expect(try await server.countByType() == ["Account": 2 * perWriter])
        // Each writer's own records got increasing numbers, in the order it wrote them.
        var seqsByWriter: [String: [Int64]] = [:]
        for writer in ["serve", "admin"] {
            let own = stored.filter { $0.owner == writer }
                .sorted { ($0.fields["employees"]?.decimalValue ?? 0) < ($1.fields["employees"]?.decimalValue ?? 0) }
            seqsByWriter[writer] = own.map(\.seq)
            #expect(own.map(\.seq) == own.map(\.seq).sorted())
        }
        // The writers really overlapped: each committed some records while the other was still writing.
        let serve = try #require(seqsByWriter["serve"])
        let admin = try #require(seqsByWriter["admin"])
        #expect(serve.first! < admin.last! && admin.first! < serve.last!)
    }

    @Test func writerWaitsForAnotherProcessWriteLockWithinBusyTimeout() async throws {
        let directory = try TemporaryDirectory(prefix: "crm-sqlite")
        defer { directory.remove() }
        let path = directory.path("crm.sqlite")
        let server = try SQLiteStore(path: path)
        let admin = try SQLiteStore(path: path)
        let (held, signal) = AsyncStream<Void>.makeStream()
        // The server holds the write lock for 300 ms (on GRDB's writer queue, not the cooperative pool).
        let holder = Task {
            try await server.pool.write { db in
                try db.execute(sql: "UPDATE meta SET value = value WHERE key = 'seq'")
                signal.yield()
                Thread.sleep(forTimeInterval: 0.3)
            }
        }
        for await _ in held { break }
        let started = Date()
        let stored = try await admin.insert(Fixture.record("Account", ["name": "Waited"]), references: [])
        #expect(Date().timeIntervalSince(started) > 0.1)
        #expect(stored.seq == 1)
        try await holder.value
    }

    @Test func writerGivesUpAfterShortBusyTimeout() async throws {
        let directory = try TemporaryDirectory(prefix: "crm-sqlite")
        defer { directory.remove() }
        let path = directory.path("crm.sqlite")
        let server = try SQLiteStore(path: path)
        let impatient = try SQLiteStore(path: path, configuration: SQLiteConfiguration(busyTimeout: 0.05))
        let (held, signal) = AsyncStream<Void>.makeStream()
        // The lock is held until the impatient writer has given up (at most 30 s), however slow the machine.
        let release = DispatchSemaphore(value: 0)
        let holder = Task {
            try await server.pool.write { db in
                try db.execute(sql: "UPDATE meta SET value = value WHERE key = 'seq'")
                signal.yield()
                _ = release.wait(timeout: .now() + 30)
            }
        }
        for await _ in held { break }
        let error = await #expect(throws: StoreError.self) {
            try await impatient.insert(Fixture.record("Account", ["name": "Refused"]), references: [])
        }
        release.signal()
        #expect(error == .busy)
        try await holder.value
        #expect(try await server.countByType() == [:])
    }

    @Test func concurrentBatchesAndDeletesShareOneSequence() async throws {
        let directory = try TemporaryDirectory(prefix: "crm-sqlite")
        defer { directory.remove() }
        let path = directory.path("crm.sqlite")
        let first = try SQLiteStore(path: path)
        let second = try SQLiteStore(path: path)
        let seed = try await first.insert(Fixture.record("Account", ["name": "Seed"]), references: [])
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                for round in 0..<20 {
                    let batch = (0..<10).map { Fixture.record("Contact", ["lastName": .string("B\(round)-\($0)")]) }
                    try await first.insertBatch(batch)
                }
            }
            group.addTask {
                for round in 0..<50 {
                    let note = try await second.insert(
                        Fixture.record("Note", ["body": .string("n\(round)"), "parentId": .string(seed.id)]),
                        references: [seed.id])
                    _ = try await second.delete(
                        id: note.id, expectedVersion: 1, by: "admin", at: Fixture.time(round)) { _ in [] }
                }
            }
            try await group.waitForAll()
        }
        // 1 seed + 200 batch rows + 50 inserts + 50 deletes, every number used once.
        #expect(try await first.lastSequence() == 301)
        let live = try await first.list(RecordQuery(type: "Contact", visibility: .all, limit: 1000)).records
        #expect(live.count == 200)
        #expect(Set(live.map(\.seq)).count == 200)
    }

    @Test func reopeningTheFileKeepsDataAndMigratesIdempotently() async throws {
        let directory = try TemporaryDirectory(prefix: "crm-sqlite")
        defer { directory.remove() }
        let path = directory.path("nested/folder/crm.sqlite")
        let account: CRMModel.Record
        do {
            let store = try SQLiteStore(path: path)
            account = try await store.insert(Fixture.record("Account", ["name": "Kept"]), references: [])
            try await store.addUser(User(name: "alice", passwordHash: "h", role: "admin", createdAt: Fixture.start))
        }
        for _ in 0..<2 {
            let reopened = try SQLiteStore(path: path)
            #expect(try await reopened.record(id: account.id) == account)
            #expect(try await reopened.user(named: "alice")?.role == "admin")
            #expect(try await reopened.lastSequence() == 1)
            let migrations = try await reopened.pool.read { db in
                try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations")
            }
            #expect(Array(migrations.prefix(2)) == ["v1-records-users-sessions", "v2-devices"])
            #expect(Set(migrations).count == migrations.count)
        }
        let again = try SQLiteStore(path: path)
        let next = try await again.insert(Fixture.record("Account", ["name": "Next"]), references: [])
        #expect(next.seq == 2)
    }

    @Test func databaseIsInWALModeWithBusyTimeout() async throws {
        let directory = try TemporaryDirectory(prefix: "crm-sqlite")
        defer { directory.remove() }
        let store = try SQLiteStore(
            path: directory.path("crm.sqlite"), configuration: SQLiteConfiguration(busyTimeout: 7))
        let mode = try await store.pool.read { db in try String.fetchOne(db, sql: "PRAGMA journal_mode") }
        #expect(mode == "wal")
        let timeout = try await store.pool.write { db in try Int.fetchOne(db, sql: "PRAGMA busy_timeout") }
        #expect(timeout == 7000)
        let keys = try await store.pool.read { db in try Bool.fetchOne(db, sql: "PRAGMA foreign_keys") }
        #expect(keys == true)
    }

    @Test func unopenableFileThrowsDatabaseError() async throws {
        let directory = try TemporaryDirectory(prefix: "crm-sqlite")
        defer { directory.remove() }
        let path = directory.path("not-a-database.sqlite")
        try Data(repeating: 0x41, count: 4096).write(to: URL(fileURLWithPath: path))
        let error = #expect(throws: StoreError.self) { try SQLiteStore(path: path) }
        guard case .database(let message)? = error else {
            Issue.record("expected a database error, got \(String(describing: error))")
            return
        }
        #expect(message.contains(path))
    }
}
