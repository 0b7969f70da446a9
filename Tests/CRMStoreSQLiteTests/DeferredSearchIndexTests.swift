import CRMModel
import CRMStore
import CRMStoreSQLite
import CRMTesting
import Foundation
import GRDB
import Testing

/// SQLite's text index is brought up to date after writes, not in them (`SQLiteSchema.registerDeferredSearch`):
/// a write notes its row in the same transaction, and a refresh, which every search makes first, indexes the
/// noted rows. What every store's search does is `SearchConformance`.
@Suite struct DeferredSearchIndexTests {
    static func count(_ store: SQLiteStore, _ sql: String) async throws -> Int {
        try await store.pool.read { db in try Int.fetchOne(db, sql: sql) ?? -1 }
    }

    static func search(_ store: SQLiteStore, _ text: String) async throws -> [String] {
        try await store.search(SearchQuery(type: "Account", text: text, visibility: .all)).records.map(\.id)
    }

    @Test func aWriteNotesItsRowAndTheIndexLearnsItAtTheRefresh() async throws {
        try await withStore { store in
            let account = try await store.insert(Fixture.record("Account", ["name": "Umbrella"]), references: [])
            #expect(try await Self.count(store, "SELECT count(*) FROM record_search_pending") == 1)
            #expect(try await Self.count(store, "SELECT count(*) FROM record_search WHERE record_search MATCH 'umbrella'") == 0)

            #expect(try await store.refreshSearchIndex() == 1)
            #expect(try await Self.count(store, "SELECT count(*) FROM record_search_pending") == 0)
            #expect(try await Self.count(store, "SELECT count(*) FROM record_search WHERE record_search MATCH 'umbrella'") == 1)
            #expect(try await store.refreshSearchIndex() == 0)
            #expect(try await Self.search(store, "umbrella") == [account.id])
        }
    }

    @Test func aSearchFindsWhatWasWrittenBeforeIt() async throws {
        try await withStore { store in
            let account = try await store.insert(Fixture.record("Account", ["name": "Hooli"]), references: [])
            #expect(try await Self.search(store, "hooli") == [account.id])
            _ = try await store.update(id: account.id, expectedVersion: 1, references: []) {
                var record = $0
                record.fields["name"] = "Pied Piper"
                record.version += 1
                return record
            }
            #expect(try await Self.search(store, "hooli").isEmpty)
            #expect(try await Self.search(store, "piper") == [account.id])
        }
    }

    @Test func notedRowsSurviveTheStoreBeingClosedAndAreIndexedInBatches() async throws {
        let directory = try TemporaryDirectory(prefix: "crm-sqlite")
        defer { directory.remove() }
        let path = directory.path("crm.sqlite")
        let batch = (0..<4_500).map { Fixture.record("Account", ["name": .string("Vandelay \($0)")]) }
        do {
            let store = try SQLiteStore(path: path)
            try await store.insertBatch(batch)
        }
        let reopened = try SQLiteStore(path: path)
        #expect(try await Self.count(reopened, "SELECT count(*) FROM record_search_pending") == 4_500)
        #expect(try await reopened.refreshSearchIndex() == 4_500)
        #expect(try await Self.count(reopened, "SELECT count(*) FROM record_search_pending") == 0)
        let found = try await reopened.search(SearchQuery(type: "Account", text: "vandelay", visibility: .all, limit: 10))
        #expect(found.records.count == 10)
        #expect(try await Self.count(reopened, "SELECT count(*) FROM record_search") == 4_500)
    }
}
