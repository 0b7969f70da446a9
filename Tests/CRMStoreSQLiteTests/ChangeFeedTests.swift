import CRMModel
import CRMStore
import CRMStoreSQLite
import CRMTesting
import Foundation
import Testing

/// The change feed never skips a commit, even with several writers that are separate stores on one file (as
/// `serve` and admin commands are, each with its own connection pool) and a reader following the feed while
/// they write. The conformance suite (`ChangeFeedConformance`) runs the store-agnostic feed tests on every store.
@Suite struct ChangeFeedTests {
    @Test func aConcurrentReaderSeesEveryCommittedChangeExactlyOnceInOrder() async throws {
        let directory = try TemporaryDirectory(prefix: "crm-feed")
        defer { directory.remove() }
        let path = directory.path("crm.sqlite")
        let writers = try (0..<3).map { _ in try SQLiteStore(path: path) }
        let reader = try SQLiteStore(path: path)
        let perWriter = 150

        async let written: [String] = withThrowingTaskGroup(of: [String].self) { group in
            for (index, store) in writers.enumerated() {
                group.addTask {
                    var ids: [String] = []
                    for serial in 0..<perWriter {
                        if serial % 10 == 9, let last = ids.last {
                            // Updates and deletes travel in the feed too, with new numbers.
                            _ = try await store.update(id: last, expectedVersion: nil, references: []) { record in
                                record.applying(["name": .string("changed \(serial)")], by: "w\(index)", at: Fixture.start)
                            }
                        } else if serial % 25 == 24, let first = ids.first {
                            _ = try await store.delete(id: first, expectedVersion: nil, by: "w\(index)", at: Fixture.start) { _ in [] }
                            ids.removeFirst()
                        } else if serial % 7 == 0 {
                            let batch = (0..<5).map { _ in Fixture.record("Account", ["name": .string("batch of w\(index)")]) }
                            try await store.insertBatch(batch)
                            ids += batch.map(\.id)
                        } else {
                            let record = try await store.insert(Fixture.record("Account", ["name": .string("w\(index) #\(serial)")]), references: [])
                            ids.append(record.id)
                        }
                    }
                    return ids
                }
            }
            var all: [String] = []
            for try await ids in group { all += ids }
            return all
        }

        // Follow the feed while the writers run, then drain it.
        var cursor: Int64 = 0
        var seen: [Int64] = []
        var lastVersion: [String: Int] = [:]
        var idle = 0
        while idle < 20 {
            let page = try await reader.changes(after: cursor, limit: 37)
            if page.isEmpty {
                idle += 1
                try await Task.sleep(for: .milliseconds(10))
                continue
            }
            idle = 0
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
        // Each number arrives once and in order. A number can be missing only when a later change to the same
        // record superseded it before the reader got there: the feed shows records, not history.
        #expect(seen == seen.sorted() && Set(seen).count == seen.count)
        let stored = try await reader.changes(after: 0, limit: 100_000)
        #expect(Set(stored.map(\.seq)).isSubset(of: Set(seen)))
        for record in stored {
            #expect(lastVersion[record.id] == record.version, "the reader ends with every record's last version")
        }
        #expect(Set(ids).isSubset(of: Set(stored.map(\.id))))
        #expect(try await reader.lastSequence() == seen.last)
    }
}
