import CRMStore
import CRMTesting
import Testing

/// `SearchConformance` on every store.
@Suite("Search: ranking, prefixes, visibility, hidden fields, paging") struct SearchConformanceTests {
    /// The store protocols the suite needs.
    private typealias Store = any RecordStore & SyncStore

    /// Runs one test of the suite on a fresh store of `kind`.
    private func run(_ kind: StoreKind, _ test: (SearchConformance) async throws -> Void) async throws {
        try await kind.run(Store.self) { try await test(SearchConformance(store: $0)) }
    }

    @Test(arguments: StoreKind.allCases)
    func betterMatchRanksFirst(_ kind: StoreKind) async throws {
        try await run(kind) { try await $0.betterMatchRanksFirst() }
    }

    @Test(arguments: StoreKind.allCases)
    func lastWordMatchesAsAPrefix(_ kind: StoreKind) async throws {
        try await run(kind) { try await $0.lastWordMatchesAsAPrefix() }
    }

    @Test(arguments: StoreKind.allCases)
    func anotherUsersRecordsAreNeverFound(_ kind: StoreKind) async throws {
        try await run(kind) { try await $0.anotherUsersRecordsAreNeverFound() }
    }

    @Test(arguments: StoreKind.allCases)
    func hiddenFieldIsNotSearched(_ kind: StoreKind) async throws {
        try await run(kind) { try await $0.hiddenFieldIsNotSearched() }
    }

    @Test(arguments: StoreKind.allCases)
    func pagesHoldEveryMatchOnce(_ kind: StoreKind) async throws {
        try await run(kind) { try await $0.pagesHoldEveryMatchOnce() }
    }

    @Test(arguments: StoreKind.allCases)
    func indexFollowsEveryWriteAndHoldsTextValuesOnly(_ kind: StoreKind) async throws {
        try await run(kind) { try await $0.indexFollowsEveryWriteAndHoldsTextValuesOnly() }
    }
}
