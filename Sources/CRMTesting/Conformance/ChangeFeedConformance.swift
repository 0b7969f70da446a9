import CRMModel
import CRMStore
import Foundation
import Testing

/// The change feed: records in sequence order, tombstones included, and never a skipped commit, even with
/// writers running at once (each on a connection of its own where the store has several) and a reader
/// following the feed while they write.
public struct ChangeFeedConformance: Sendable {
    public let store: any RecordStore & SyncStore

    public init(store: any RecordStore & SyncStore) {
        self.store = store
    }

    private typealias Fixture = RecordFixture

    public func theFeedCarriesTombstonesAndTheLatestVersionOnly() async throws {
        let record = try await store.insert(Fixture.record("Account", ["name": "Acme"]), references: [])
        _ = try await store.update(id: record.id, expectedVersion: 1, references: []) {
            $0.applying(["name": "Acme Ltd"], by: "alice", at: Fixture.time(1))
        }
        _ = try await store.delete(id: record.id, expectedVersion: 2, by: "alice", at: Fixture.time(2)) { _ in [] }
        let feed = try await store.changes(after: 0, limit: 10)
        #expect(feed.count == 1)
        #expect(feed.first?.deleted == true && feed.first?.version == 3 && feed.first?.seq == 3)
        #expect(try await store.changes(after: 3, limit: 10).isEmpty)
    }

    /// Writers insert, update, delete, load batches and push (some pushes holding their transaction open a
    /// while after taking a number, which is when a store handing out numbers outside commit order lets a
    /// later number commit first). A reader follows the feed meanwhile. Everything it saw, compared with the
    /// final feed: each number once and in order, and no change it passed over that turned up later.
    public func aConcurrentReaderNeverSeesAGapThatIsFilledLater() async throws {
        let writers = 4
        let operations = 60
        let done = ConformanceFlag()
        async let written = Self.writeAll(writers, operations, to: store, then: done)

        var cursor: Int64 = 0
        var seen: [Int64] = []
        var lastVersion: [String: Int] = [:]
        while true {
            // Read whether the writers are done before reading the page: an empty page after that is the end.
            let finished = done.isRaised
            let page = try await store.changes(after: cursor, limit: 37)
            if page.isEmpty {
                if finished { break }
                try await Task.sleep(for: .milliseconds(2))
                continue
            }
            for record in page {
                #expect(record.seq > cursor)
                // A record's versions only move forward through the feed.
                #expect(record.version > (lastVersion[record.id] ?? 0))
                lastVersion[record.id] = record.version
                seen.append(record.seq)
                cursor = record.seq
            }
        }
        let ids = try await written
        #expect(seen == seen.sorted() && Set(seen).count == seen.count, "each number once, in order")
        let final = try await store.changes(after: 0, limit: 1_000_000)
        // A number can be missing from what the reader saw only when a later change to the same record replaced
        // it before the reader got there (the feed shows records, not history): every record's last change
        // must have been seen.
        let seenNumbers = Set(seen)
        let missed = final.filter { !seenNumbers.contains($0.seq) }.map(\.seq)
        #expect(missed.isEmpty, "changes committed behind the reader's cursor: \(missed)")
        let stale = final.filter { lastVersion[$0.id] != $0.version }.map(\.id)
        #expect(stale.isEmpty, "the reader must end with every record's last version")
        #expect(Set(ids).isSubset(of: Set(final.map(\.id))))
        #expect(try await store.lastSequence() == seen.last)
    }

    /// Runs the writers at once; returns the ids they created, and raises `done` when they are over.
    private static func writeAll(
        _ writers: Int, _ operations: Int, to store: any RecordStore & SyncStore, then done: ConformanceFlag
    ) async throws -> [String] {
        defer { done.raise() }
        return try await withThrowingTaskGroup(of: [String].self) { group in
            for writer in 0..<writers {
                group.addTask { try await write(operations, as: "w\(writer)", to: store) }
            }
            var all: [String] = []
            for try await ids in group { all += ids }
            return all
        }
    }

    /// One writer's mix of changes; returns the ids it created.
    private static func write(_ operations: Int, as name: String, to store: any RecordStore & SyncStore)
        async throws -> [String]
    {
        var ids: [String] = []
        for serial in 0..<operations {
            if serial % 10 == 9, let last = ids.last {
                _ = try await store.update(id: last, expectedVersion: nil, references: []) { record in
                    record.applying(["name": .string("changed \(serial)")], by: name, at: Fixture.start)
                }
            } else if serial % 25 == 24, let first = ids.first {
                _ = try await store.delete(id: first, expectedVersion: nil, by: name, at: Fixture.start) { _ in [] }
                ids.removeFirst()
            } else if serial % 7 == 0 {
                let batch = (0..<5).map { _ in Fixture.record("Account", ["name": .string("batch of \(name)")]) }
                try await store.insertBatch(batch)
                ids += batch.map(\.id)
            } else if serial % 5 == 1 {
                let records = (0..<3).map { _ in Fixture.record("Contact", ["lastName": .string("pushed by \(name)")]) }
                try await store.push { tx in
                    for record in records {
                        _ = try tx.insert(record)
                        // Hold the transaction open after taking a number.
                        Thread.sleep(forTimeInterval: 0.003)
                    }
                }
                ids += records.map(\.id)
            } else {
                let record = try await store.insert(
                    Fixture.record("Account", ["name": .string("\(name) #\(serial)")]), references: [])
                ids.append(record.id)
            }
        }
        return ids
    }

    /// A load bigger than one transaction's chunk stores every record, numbered in its order.
    public func aBatchLargerThanAChunkStoresEveryRecordInOrder() async throws {
        _ = try await store.insert(Fixture.record("Account", ["name": "Before"]), references: [])
        let batch = (0..<12_000).map { Fixture.record("Contact", ["lastName": .string("L\($0)")]) }
        try await store.insertBatch(batch)
        #expect(try await store.countByType() == ["Account": 1, "Contact": 12_000])
        let feed = try await store.changes(after: 1, limit: 20_000)
        #expect(feed.map(\.id) == batch.map(\.id))
        #expect(feed.map(\.seq) == (2...12_001).map { Int64($0) })
        #expect(try await store.lastSequence() == 12_001)
    }
}
