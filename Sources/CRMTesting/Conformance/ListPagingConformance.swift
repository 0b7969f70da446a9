import CRMModel
import CRMStore
import Foundation
import Testing

/// Lists: keyset paging walks every record once, in order, whatever the sort, and stays stable under inserts.
public struct ListPagingConformance: Sendable {
    public let store: any RecordStore

    public init(store: any RecordStore) {
        self.store = store
    }

    private typealias Fixture = RecordFixture

    /// 25 accounts with nulls and duplicates in every sortable column.
    static func fill(_ store: any RecordStore) async throws -> [Record] {
        var records: [Record] = []
        for index in 0..<25 {
            var fields: [String: FieldValue] = ["name": .string("N\(index % 6)")]
            if index % 5 != 0 { fields["employees"] = .number(Decimal((index % 4) * 10)) }
            if index % 2 == 0 { fields["country"] = "DE" }
            let owner = ["alice", "bob", "carol"][index % 3]
            records.append(try await store.insert(
                Fixture.record("Account", owner: owner, createdAt: Fixture.time(index / 3), fields)))
        }
        return records
    }

    /// Follows `nextCursor` to the end, returning every page's ids.
    static func walk(_ store: any RecordStore, _ query: RecordQuery) async throws -> [[String]] {
        var pages: [[String]] = []
        var query = query
        while true {
            let page = try await store.list(query)
            pages.append(page.records.map(\.id))
            guard let next = page.nextCursor else { return pages }
            query.cursor = next
            if pages.count > 100 { Issue.record("paging does not end"); return pages }
        }
    }

    public static let sorts: [RecordSort] = [
        RecordSort(field: "employees"), RecordSort(field: "employees", descending: true),
        RecordSort(field: "name"), RecordSort(field: "name", descending: true),
        RecordSort(field: "city"), RecordSort(field: "city", descending: true),
        RecordSort(field: "createdAt"), RecordSort(field: "createdAt", descending: true),
        RecordSort(field: "owner"), RecordSort(field: "id", descending: true),
    ]

    public func pagingWalksEveryRecordOnceInOrder(sort: RecordSort) async throws {
        let records = try await Self.fill(store)
        let whole = try await store.list(RecordQuery(type: "Account", visibility: .all, sort: sort, limit: 100))
        #expect(whole.records.count == 25)
        #expect(whole.nextCursor == nil)

        let pages = try await Self.walk(store, RecordQuery(type: "Account", visibility: .all, sort: sort, limit: 7))
        #expect(pages.map(\.count) == [7, 7, 7, 4])
        let walked = pages.flatMap { $0 }
        #expect(walked == whole.records.map(\.id))
        #expect(Set(walked) == Set(records.map(\.id)))
        if sort.field == "employees" || sort.field == "createdAt" {
            #expect(walked == ExpectedOrder.ids(records, field: sort.field, descending: sort.descending))
        }
    }

    public func pageSizeOfExactMultipleEndsWithoutEmptyPage() async throws {
        _ = try await Self.fill(store)
        let pages = try await Self.walk(store, RecordQuery(type: "Account", visibility: .all, limit: 5))
        #expect(pages.map(\.count) == [5, 5, 5, 5, 5])
    }

    public func pagingCombinesWithVisibilityAndFilters() async throws {
        let records = try await Self.fill(store)
        let expected = records.filter { ["alice", "bob"].contains($0.owner) && $0.fields["country"] == "DE" }
        let query = RecordQuery(
            type: "Account", visibility: .users(["alice", "bob"]),
            filters: [FieldFilter(field: "country", value: "DE", isReference: false)],
            sort: RecordSort(field: "employees", descending: true), limit: 3)
        let walked = try await Self.walk(store, query).flatMap { $0 }
        #expect(walked == ExpectedOrder.ids(expected, field: "employees", descending: true))
    }

    public func recordsInsertedBehindTheCursorDoNotShiftLaterPages() async throws {
        let records = try await Self.fill(store)
        var query = RecordQuery(type: "Account", visibility: .all, sort: RecordSort(field: "createdAt"), limit: 10)
        let first = try await store.list(query)
        // A record created before everything on the first page: keyset paging must not repeat or skip rows.
        try await store.insert(Fixture.record("Account", createdAt: Fixture.time(-100), ["name": "Early"]))
        query.cursor = first.nextCursor
        var rest: [String] = []
        while let cursor = query.cursor {
            query.cursor = cursor
            let page = try await store.list(query)
            rest += page.records.map(\.id)
            query.cursor = page.nextCursor
        }
        #expect(first.records.map(\.id) + rest == ExpectedOrder.ids(records, field: "createdAt", descending: false))
    }

    /// Cursors no store ever gave: not base64, empty, JSON without an id, a list.
    public static let invalidCursors = ["not a cursor", "", "eyJmb28iOjF9", "%%%", "W10"]

    public func invalidCursorIsRefused(cursor: String) async throws {
        _ = try await store.insert(Fixture.record("Account", ["name": "Acme"]))
        await #expect(throws: InvalidCursor.self) {
            try await store.list(RecordQuery(type: "Account", visibility: .all, cursor: cursor))
        }
    }
}
