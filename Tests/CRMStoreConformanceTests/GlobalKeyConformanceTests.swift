import CRMStore
import CRMTesting
import Testing

/// `GlobalKeyConformance` on every store.
@Suite("Global keys") struct GlobalKeyConformanceTests {
    private typealias Store = any RecordStore & SyncStore & PackageStore

    private func run(_ kind: StoreKind, _ test: (GlobalKeyConformance) async throws -> Void) async throws {
        try await kind.run(Store.self) { try await test(GlobalKeyConformance(store: $0)) }
    }

    @Test(arguments: StoreKind.allCases)
    func concurrentInsertsOfOneGlobalKeyStoreOneRecord(_ kind: StoreKind) async throws {
        try await run(kind) { try await $0.concurrentInsertsOfOneGlobalKeyStoreOneRecord() }
    }

    @Test(arguments: StoreKind.allCases)
    func anUpdateOntoAHeldKeyIsRefusedAndChangesNothing(_ kind: StoreKind) async throws {
        try await run(kind) { try await $0.anUpdateOntoAHeldKeyIsRefusedAndChangesNothing() }
    }

    @Test(arguments: StoreKind.allCases)
    func aDeletedRecordReleasesItsKeys(_ kind: StoreKind) async throws {
        try await run(kind) { try await $0.aDeletedRecordReleasesItsKeys() }
    }

    @Test(arguments: StoreKind.allCases)
    func aBatchHoldingAHeldKeyStoresNothing(_ kind: StoreKind) async throws {
        try await run(kind) { try await $0.aBatchHoldingAHeldKeyStoresNothing() }
    }

    @Test(arguments: StoreKind.allCases)
    func publishingNewKeysBuildsTheTableFromStoredRecords(_ kind: StoreKind) async throws {
        try await run(kind) { try await $0.publishingNewKeysBuildsTheTableFromStoredRecords() }
    }
}
