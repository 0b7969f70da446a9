import CRMModel
import CRMServer
import CRMStore
import CRMStoreSQLite
import CRMTesting
import Foundation
import GRDB
import Logging
import Testing

/// `crm-server serve` keeps SQLite's text index fresh between searches: rows that writes noted are indexed by
/// the refresher without anyone searching, so a search after a large push or import has nothing left to do.
@Suite struct SearchIndexRefresherTests {
    @Test func notedRowsAreIndexedWithoutASearch() async throws {
        let directory = try TemporaryDirectory(prefix: "crm-refresher")
        defer { directory.remove() }
        let store = try SQLiteStore(path: directory.path("crm.sqlite"))
        let stamp = FieldStamp(version: 1, at: Date())
        let records = (0..<300).map { index in
            Record(
                id: RecordID.make(), type: "Account", owner: "alice", team: [], createdAt: Date(), updatedAt: Date(),
                updatedBy: "alice", fields: ["name": .string("Initrode \(index)")], fieldVersions: ["name": stamp])
        }
        try await store.insertBatch(records)
        func pending() async throws -> Int {
            try await store.pool.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM record_search_pending") ?? -1 }
        }
        #expect(try await pending() == 300)

        let refresher = SearchIndexRefresher(store: store, interval: .milliseconds(100), logger: Logger(label: "test"))
        let running = Task { try await refresher.run() }
        defer { running.cancel() }
        let deadline = Date().addingTimeInterval(30)
        while try await pending() > 0, Date() < deadline {
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(try await pending() == 0)
        let indexed = try await store.pool.read { db in
            try Int.fetchOne(db, sql: "SELECT count(*) FROM record_search WHERE record_search MATCH 'initrode'")
        }
        #expect(indexed == 300)
        running.cancel()
        _ = await running.result
    }
}
