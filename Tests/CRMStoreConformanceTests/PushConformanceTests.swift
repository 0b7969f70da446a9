import CRMStore
import CRMTesting
import Testing

/// `PushConformance` on every store.
@Suite("Push transactions") struct PushConformanceTests {
    /// The store protocols the suite needs.
    private typealias Store = any RecordStore & SyncStore

    /// Runs one test of the suite on a fresh store of `kind`.
    private func run(_ kind: StoreKind, _ test: (PushConformance) async throws -> Void) async throws {
        try await kind.run(Store.self) { try await test(PushConformance(store: $0)) }
    }

    @Test(arguments: StoreKind.allCases)
    func aRefusedOpInsideAPushRollsBackOnlyItsOwnWrites(_ kind: StoreKind) async throws {
        try await run(kind) { try await $0.aRefusedOpInsideAPushRollsBackOnlyItsOwnWrites() }
    }

    @Test(arguments: StoreKind.allCases)
    func duplicateLookUpsCompareTextWithoutCaseAndSkipTombstones(_ kind: StoreKind) async throws {
        try await run(kind) { try await $0.duplicateLookUpsCompareTextWithoutCaseAndSkipTombstones() }
    }

    @Test(arguments: StoreKind.allCases)
    func aPushThatThrowsStoresNothing(_ kind: StoreKind) async throws {
        try await run(kind) { try await $0.aPushThatThrowsStoresNothing() }
    }

    @Test(arguments: StoreKind.allCases)
    func nestedSavepointsRollBackOnlyTheirOwnWrites(_ kind: StoreKind) async throws {
        try await run(kind) { try await $0.nestedSavepointsRollBackOnlyTheirOwnWrites() }
    }

    @Test(arguments: StoreKind.allCases)
    func storeRefusalsInsideAPushLeaveItUsable(_ kind: StoreKind) async throws {
        try await run(kind) { try await $0.storeRefusalsInsideAPushLeaveItUsable() }
    }

    @Test(arguments: StoreKind.allCases)
    func aDeleteInsideAPushFollowsTheRules(_ kind: StoreKind) async throws {
        try await run(kind) { try await $0.aDeleteInsideAPushFollowsTheRules() }
    }

    @Test(arguments: StoreKind.allCases)
    func aCancelledPushStopsAndStoresNothing(_ kind: StoreKind) async throws {
        try await run(kind) { try await $0.aCancelledPushStopsAndStoresNothing() }
    }

    @Test(arguments: StoreKind.allCases)
    func concurrentPushesOfOneGlobalKeyMakeOneRecord(_ kind: StoreKind) async throws {
        try await run(kind) { try await $0.concurrentPushesOfOneGlobalKeyMakeOneRecord() }
    }

    @Test(arguments: StoreKind.allCases)
    func aSavedOpResultIsReplacedAndReadInsideAPush(_ kind: StoreKind) async throws {
        try await run(kind) { try await $0.aSavedOpResultIsReplacedAndReadInsideAPush() }
    }
}
