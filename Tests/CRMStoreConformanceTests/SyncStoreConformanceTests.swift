import CRMStore
import CRMTesting
import Testing

/// `SyncStoreConformance` on every store.
@Suite("Sync tables") struct SyncStoreConformanceTests {
    /// The store protocols the suite needs.
    private typealias Store = any RecordStore & SyncStore

    /// Runs one test of the suite on a fresh store of `kind`.
    private func run(_ kind: StoreKind, _ test: (SyncStoreConformance) async throws -> Void) async throws {
        try await kind.run(Store.self) { try await test(SyncStoreConformance(store: $0)) }
    }

    @Test(arguments: StoreKind.allCases)
    func aPagesScopeChangesApplyOnlyWhenItsGenerationIsAcknowledged(_ kind: StoreKind) async throws {
        try await run(kind) { try await $0.aPagesScopeChangesApplyOnlyWhenItsGenerationIsAcknowledged() }
    }

    @Test(arguments: StoreKind.allCases)
    func savingTheStateNeverMovesGenerationsBackwards(_ kind: StoreKind) async throws {
        try await run(kind) { try await $0.savingTheStateNeverMovesGenerationsBackwards() }
    }

    @Test(arguments: StoreKind.allCases)
    func liveRecordsPageWhatTheUsersMaySeeById(_ kind: StoreKind) async throws {
        try await run(kind) { try await $0.liveRecordsPageWhatTheUsersMaySeeById() }
    }

    @Test(arguments: StoreKind.allCases)
    func referencePhaseQueriesFollowTheRecordsHeldThroughTheFilter(_ kind: StoreKind) async throws {
        try await run(kind) { try await $0.referencePhaseQueriesFollowTheRecordsHeldThroughTheFilter() }
    }

    @Test(arguments: StoreKind.allCases)
    func syncSessionsAreLoggedCountedEndedAndListed(_ kind: StoreKind) async throws {
        try await run(kind) { try await $0.syncSessionsAreLoggedCountedEndedAndListed() }
    }

    @Test(arguments: StoreKind.allCases)
    func aBeginAPageAndTheSessionFactsActAsTheirSeparateSteps(_ kind: StoreKind) async throws {
        try await run(kind) { try await $0.aBeginAPageAndTheSessionFactsActAsTheirSeparateSteps() }
    }

    @Test(arguments: StoreKind.allCases)
    func theStoreHasAnEpochAndACursorKey(_ kind: StoreKind) async throws {
        try await run(kind) { try await $0.theStoreHasAnEpochAndACursorKey() }
    }

    @Test(arguments: StoreKind.allCases)
    func thePurgeDropsOnlyWhatTheRetentionHorizonPassed(_ kind: StoreKind) async throws {
        try await run(kind) { try await $0.thePurgeDropsOnlyWhatTheRetentionHorizonPassed() }
    }
}
