import CRMStore
import CRMTesting
import Testing

/// `ListPagingConformance` on every store.
@Suite("List: keyset paging") struct ListPagingConformanceTests {
    /// The store protocols the suite needs.
    private typealias Store = any RecordStore & SyncStore

    /// Runs one test of the suite on a fresh store of `kind`.
    private func run(_ kind: StoreKind, _ test: (ListPagingConformance) async throws -> Void) async throws {
        try await kind.run(Store.self) { try await test(ListPagingConformance(store: $0)) }
    }

    @Test(arguments: StoreKind.allCases, ListPagingConformance.sorts)
    func pagingWalksEveryRecordOnceInOrder(_ kind: StoreKind, sort: RecordSort) async throws {
        try await run(kind) { try await $0.pagingWalksEveryRecordOnceInOrder(sort: sort) }
    }

    @Test(arguments: StoreKind.allCases)
    func pageSizeOfExactMultipleEndsWithoutEmptyPage(_ kind: StoreKind) async throws {
        try await run(kind) { try await $0.pageSizeOfExactMultipleEndsWithoutEmptyPage() }
    }

    @Test(arguments: StoreKind.allCases)
    func pagingCombinesWithVisibilityAndFilters(_ kind: StoreKind) async throws {
        try await run(kind) { try await $0.pagingCombinesWithVisibilityAndFilters() }
    }

    @Test(arguments: StoreKind.allCases)
    func recordsInsertedBehindTheCursorDoNotShiftLaterPages(_ kind: StoreKind) async throws {
        try await run(kind) { try await $0.recordsInsertedBehindTheCursorDoNotShiftLaterPages() }
    }

    @Test(arguments: StoreKind.allCases, ListPagingConformance.invalidCursors)
    func invalidCursorIsRefused(_ kind: StoreKind, cursor: String) async throws {
        try await run(kind) { try await $0.invalidCursorIsRefused(cursor: cursor) }
    }
}

extension RecordSort: CustomTestStringConvertible {
    public var testDescription: String { "\(field) \(descending ? "desc" : "asc")" }
}
