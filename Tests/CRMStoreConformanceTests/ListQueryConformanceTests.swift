import CRMStore
import CRMTesting
import Testing

/// `ListQueryConformance` on every store.
@Suite("List: visibility, filters and sort") struct ListQueryConformanceTests {
    /// The store protocols the suite needs.
    private typealias Store = any RecordStore & SyncStore

    /// Runs one test of the suite on a fresh store of `kind`.
    private func run(_ kind: StoreKind, _ test: (ListQueryConformance) async throws -> Void) async throws {
        try await kind.run(Store.self) { try await test(ListQueryConformance(store: $0)) }
    }

    @Test(arguments: StoreKind.allCases)
    func usersVisibilityReturnsOwnedAndTeamedRecordsOnly(_ kind: StoreKind) async throws {
        try await run(kind) { try await $0.usersVisibilityReturnsOwnedAndTeamedRecordsOnly() }
    }

    @Test(arguments: StoreKind.allCases)
    func teamChangeMovesRecordIntoAndOutOfVisibility(_ kind: StoreKind) async throws {
        try await run(kind) { try await $0.teamChangeMovesRecordIntoAndOutOfVisibility() }
    }

    @Test(arguments: StoreKind.allCases)
    func filtersOnTextNumberBooleanAndReferenceFields(_ kind: StoreKind) async throws {
        try await run(kind) { try await $0.filtersOnTextNumberBooleanAndReferenceFields() }
    }

    @Test(arguments: StoreKind.allCases)
    func referenceFilterMatchesManyToManyMembers(_ kind: StoreKind) async throws {
        try await run(kind) { try await $0.referenceFilterMatchesManyToManyMembers() }
    }

    @Test(arguments: StoreKind.allCases)
    func sortAscendingPutsNullsFirstThenValuesWithTiesById(_ kind: StoreKind) async throws {
        try await run(kind) { try await $0.sortAscendingPutsNullsFirstThenValuesWithTiesById() }
    }

    @Test(arguments: StoreKind.allCases)
    func sortDescendingIsTheExactReverse(_ kind: StoreKind) async throws {
        try await run(kind) { try await $0.sortDescendingIsTheExactReverse() }
    }

    @Test(arguments: StoreKind.allCases)
    func sortByCreatedAtFollowsCreationTimeNotInsertOrder(_ kind: StoreKind) async throws {
        try await run(kind) { try await $0.sortByCreatedAtFollowsCreationTimeNotInsertOrder() }
    }

    @Test(arguments: StoreKind.allCases)
    func sortByTextField(_ kind: StoreKind) async throws {
        try await run(kind) { try await $0.sortByTextField() }
    }
}
